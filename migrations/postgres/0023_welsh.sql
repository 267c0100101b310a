-- Welsh as a language of the product: helpline cards and health areas in Welsh.
--   *_cy          the card's Welsh text ("" where not written: the English shows, marked)
--   welsh_service 'yes' when callers can be helped in Welsh, 'no' when the service is
--                 English only (a Welsh page says so in Welsh), '' when not known
ALTER TABLE helplines ADD COLUMN organisation_cy TEXT NOT NULL DEFAULT '';
ALTER TABLE helplines ADD COLUMN service_cy TEXT NOT NULL DEFAULT '';
ALTER TABLE helplines ADD COLUMN purpose_cy TEXT NOT NULL DEFAULT '';
ALTER TABLE helplines ADD COLUMN call_note_cy TEXT NOT NULL DEFAULT '';
ALTER TABLE helplines ADD COLUMN hours_cy TEXT NOT NULL DEFAULT '';
ALTER TABLE helplines ADD COLUMN welsh_service TEXT NOT NULL DEFAULT '' CHECK (welsh_service IN ('yes', 'no', ''));
ALTER TABLE areas ADD COLUMN name_cy TEXT NOT NULL DEFAULT '';
ALTER TABLE score_levels ADD COLUMN criteria_cy TEXT NOT NULL DEFAULT '';

-- Existing helplines get the Welsh of the seed, matched by name and service, only where no
-- Welsh has been written; staff edits are never overwritten.
UPDATE helplines SET organisation_cy = 'Gwasanaethau brys', service_cy = '', purpose_cy = 'I gael ambiwlans, yr heddlu neu''r gwasanaeth tân. Gallwch hefyd fynd yn syth i''r adran achosion brys (A&E) yn eich ysbyty agosaf.', call_note_cy = '', hours_cy = 'Ar agor 24 awr y dydd, bob dydd', welsh_service = 'yes'
  WHERE organisation = 'Emergency services' AND service = '' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = 'GIG 111 (Lloegr)', service_cy = 'Opsiwn iechyd meddwl', purpose_cy = 'Help brys mewn argyfwng iechyd meddwl, i chi neu i rywun sy''n annwyl i chi. Mae ar gyfer pobl o bob oed. Bydd cynghorydd hyfforddedig yn gwrando arnoch, a gall eich rhoi mewn cysylltiad â''ch tîm argyfwng lleol.', call_note_cy = 'Dewiswch yr opsiwn iechyd meddwl', hours_cy = 'Ar agor 24 awr y dydd, bob dydd', welsh_service = ''
  WHERE organisation = 'NHS 111 (England)' AND service = 'Mental health option' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = 'GIG 111 Cymru', service_cy = 'Pwyswch 2 ar gyfer iechyd meddwl', purpose_cy = 'Cymorth iechyd meddwl brys gan dîm eich bwrdd iechyd lleol, i chi neu i rywun sy''n annwyl i chi.', call_note_cy = 'Yna pwyswch 2', hours_cy = 'Ar agor 24 awr y dydd, bob dydd', welsh_service = 'yes'
  WHERE organisation = 'NHS 111 Wales' AND service = 'Press 2 for mental health' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = 'NHS 24 (Yr Alban)', service_cy = 'Cyngor brys', purpose_cy = 'Cyngor iechyd brys. Mae hyn yn cynnwys help gan hwb iechyd meddwl NHS 24.', call_note_cy = '', hours_cy = 'Ar agor 24 awr y dydd, bob dydd', welsh_service = ''
  WHERE organisation = 'NHS 24 (Scotland)' AND service = 'Urgent advice' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Llinell wrando a chyngor', purpose_cy = 'Llinell am ddim a chyfrinachol i siarad am hwyliau isel, iselder neu orbryder. NHS 24 sy''n ei rhedeg. Gallwch hefyd sgwrsio ar-lein ar wefan Breathing Space.', call_note_cy = '', hours_cy = 'Dydd Llun i ddydd Iau, 6yh tan 2yb. Ar benwythnosau, o 6yh nos Wener tan 6yb fore Llun.', welsh_service = ''
  WHERE organisation = 'Breathing Space' AND service = 'Listening and advice line' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Llinell gymorth argyfwng', purpose_cy = 'Cwnselwyr hyfforddedig sy''n ateb. Ffoniwch os ydych chi mewn trallod neu''n teimlo''n anobeithiol, gan gynnwys os ydych chi''n meddwl am hunanladdiad. Gallwch hefyd ffonio os ydych chi''n poeni am rywun arall.', call_note_cy = '', hours_cy = 'Ar agor 24 awr y dydd, bob dydd', welsh_service = ''
  WHERE organisation = 'Lifeline' AND service = 'Crisis helpline' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Llinell wrando a chymorth', purpose_cy = 'Rhywun i wrando arnoch, cymorth emosiynol, a gwybodaeth am wasanaethau eraill yn eich ardal.', call_note_cy = '', hours_cy = 'Ar agor 24 awr y dydd, bob dydd', welsh_service = 'yes'
  WHERE organisation = 'CALL Mental Health Helpline for Wales' AND service = 'Listening and support line' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = 'Samariaid', service_cy = 'Gwasanaeth gwrando', purpose_cy = 'Siaradwch â rhywun am unrhyw beth sy''n eich poeni, gan gynnwys meddyliau am hunanladdiad. Mae''r galwadau am ddim o unrhyw ffôn, ac ni fyddant yn ymddangos ar eich bil.', call_note_cy = '', hours_cy = 'Ar agor 24 awr y dydd, bob dydd', welsh_service = ''
  WHERE organisation = 'Samaritans' AND service = 'Listening service' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Cymorth drwy neges destun', purpose_cy = 'Os ydych chi''n cael trafferth ymdopi a bod angen i chi siarad nawr, anfonwch neges destun. Gwirfoddolwyr hyfforddedig sy''n ateb, gyda chefnogaeth goruchwylwyr clinigol.', call_note_cy = '', hours_cy = 'Ar agor 24 awr y dydd, bob dydd', welsh_service = ''
  WHERE organisation = 'Shout' AND service = 'Text support' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Cymorth drwy neges destun gyda Shout', purpose_cy = 'Ar gyfer rhieni a theuluoedd sy''n byw gyda salwch meddwl yn ystod beichiogrwydd neu ar ôl cael babi. Gwirfoddolwyr hyfforddedig sy''n ateb.', call_note_cy = '', hours_cy = 'Ar agor 24 awr y dydd, bob dydd', welsh_service = ''
  WHERE organisation = 'PANDAS Foundation' AND service = 'Text support with Shout' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Llinell gymorth am ddim a grwpiau cymorth', purpose_cy = 'Cymorth gan gymheiriaid i unrhyw un sydd â salwch meddwl yn ystod beichiogrwydd neu ar ôl cael babi. Does dim rhestr aros. Mae cymorth ar gael hefyd drwy e-bost, WhatsApp, ac mewn grwpiau ar-lein neu wyneb yn wyneb.', call_note_cy = '', hours_cy = 'Ar agor bob dydd. Edrychwch ar y wefan i weld yr amseroedd.', welsh_service = ''
  WHERE organisation = 'PANDAS Foundation' AND service = 'Free helpline and support groups' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Llinell Wybodaeth', purpose_cy = 'Gwybodaeth am broblemau iechyd meddwl, triniaethau a ble i gael cymorth.', call_note_cy = '', hours_cy = 'Dydd Llun i ddydd Gwener, 9yb tan 6yh', welsh_service = ''
  WHERE organisation = 'Mind' AND service = 'Infoline' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Llinell gymorth profedigaeth', purpose_cy = 'I unrhyw un sydd wedi''i effeithio gan golli beichiogrwydd neu farwolaeth babi, gan gynnwys staff iechyd. Mae''r alwad am ddim.', call_note_cy = '', hours_cy = '', welsh_service = ''
  WHERE organisation = 'Sands' AND service = 'Bereavement helpline' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Llinell feichiogrwydd', purpose_cy = 'Bydwragedd sy''n ateb eich cwestiynau am feichiogrwydd. Maen nhw hefyd yn eich cefnogi ar ôl colli babi, neu os ydych chi''n feichiog eto ar ôl colled. Gallwch gysylltu â nhw drwy eu gwefan hefyd.', call_note_cy = '', hours_cy = 'Dydd Llun i ddydd Gwener, 9yb tan 5yh', welsh_service = ''
  WHERE organisation = 'Tommy''s' AND service = 'Pregnancy line' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Cymorth gan gymheiriaid', purpose_cy = 'I fenywod a theuluoedd sydd wedi''u heffeithio gan seicosis ôl-enedigol: fforwm ar-lein, cymorth un-i-un drwy e-bost, a chyfarfodydd ar-lein neu wyneb yn wyneb. Nid gwasanaeth argyfwng yw hwn.', call_note_cy = '', hours_cy = '', welsh_service = ''
  WHERE organisation = 'Action on Postpartum Psychosis' AND service = 'Peer support' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Cymorth gan gymheiriaid', purpose_cy = 'I rieni sydd wedi cael genedigaeth drawmatig, neu sydd â PTSD ôl-enedigol (anhwylder straen wedi trawma), a''u partneriaid: grŵp Facebook preifat, cymorth un-i-un drwy e-bost neu Messenger, a sesiynau galw heibio ar-lein i dadau. Nid gwasanaeth argyfwng yw hwn.', call_note_cy = '', hours_cy = '', welsh_service = ''
  WHERE organisation = 'Birth Trauma Association' AND service = 'Peer support' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = 'Ap Baby Buddy', purpose_cy = 'Ap am ddim ar gyfer beichiogrwydd a misoedd cyntaf bod yn rhiant, gyda fideos a gwybodaeth am ofalu am eich iechyd meddwl.', call_note_cy = '', hours_cy = 'Ar gael bob amser, fel ap', welsh_service = ''
  WHERE organisation = 'Best Beginnings' AND service = 'Baby Buddy app' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';
UPDATE helplines SET organisation_cy = '', service_cy = '', purpose_cy = 'Mae gwirfoddolwyr hyfforddedig sydd wedi bod drwy''r un peth eu hunain yn cynnig cymorth gyda hwyliau isel neu orbryder. Mae''r cymorth ar gael yn ystod beichiogrwydd a nes bod eich plentyn yn ddwy oed. Ar gael mewn rhai ardaloedd yn Lloegr.', call_note_cy = '', hours_cy = '', welsh_service = ''
  WHERE organisation = 'NCT' AND service = 'Parents in Mind' AND organisation_cy = '' AND service_cy = '' AND purpose_cy = '' AND call_note_cy = '' AND hours_cy = '' AND welsh_service = '';

-- The Samaritans' Welsh Language Line, for sites seeded before it was researched (a new
-- site gets it from the seed); placed just after the Samaritans' main line.
INSERT INTO helplines (organisation, service, purpose, phone, call_note, text_number, text_body, textphone, email, web, hours, nation, tier, number_verified, notes, source_url, organisation_cy, service_cy, purpose_cy, call_note_cy, hours_cy, welsh_service, sort_order)
  SELECT 'Samaritans', 'Welsh Language Line', 'Talk to someone in Welsh about anything that is troubling you, including thoughts of suicide. Calls are free.', '0808 164 0123', '', '', '', '', '', '', 'Every day, 7pm to 11pm', 'Wales', 'listening', 'no', 'Reported by S4C (May 2024) as open 7pm to 11pm every day; number and hours not yet confirmed with Samaritans Cymru.', '', 'Samariaid', 'Llinell Gymraeg', 'Siaradwch â rhywun yn Gymraeg am unrhyw beth sy''n eich poeni, gan gynnwys meddyliau am hunanladdiad. Mae''r galwadau am ddim.', '', 'Bob dydd, 7yh tan 11yh', 'yes', COALESCE((SELECT MAX(sort_order) FROM helplines WHERE organisation = 'Samaritans'), 0) + 5
  WHERE EXISTS (SELECT 1 FROM site_settings WHERE key = 'seeded_at')
    AND NOT EXISTS (SELECT 1 FROM helplines WHERE phone = '0808 164 0123');

-- The Welsh health boards' official Welsh names (seed/geo/wales-lhb-names-cy.csv).
UPDATE areas SET name_cy = 'Bwrdd Iechyd Prifysgol Betsi Cadwaladr' WHERE code = 'W11000023' AND name_cy = '';
UPDATE areas SET name_cy = 'Bwrdd Iechyd Addysgu Powys' WHERE code = 'W11000024' AND name_cy = '';
UPDATE areas SET name_cy = 'Bwrdd Iechyd Prifysgol Hywel Dda' WHERE code = 'W11000025' AND name_cy = '';
UPDATE areas SET name_cy = 'Bwrdd Iechyd Prifysgol Aneurin Bevan' WHERE code = 'W11000028' AND name_cy = '';
UPDATE areas SET name_cy = 'Bwrdd Iechyd Prifysgol Caerdydd a''r Fro' WHERE code = 'W11000029' AND name_cy = '';
UPDATE areas SET name_cy = 'Bwrdd Iechyd Prifysgol Cwm Taf Morgannwg' WHERE code = 'W11000030' AND name_cy = '';
UPDATE areas SET name_cy = 'Bwrdd Iechyd Prifysgol Bae Abertawe' WHERE code = 'W11000031' AND name_cy = '';

-- The map legend's criteria in Welsh, for the default wording only.
UPDATE score_levels SET criteria_cy = 'Dim gwasanaeth iechyd meddwl amenedigol arbenigol yn y gymuned.' WHERE level = 0 AND criteria = 'No specialist community perinatal mental health service.' AND criteria_cy = '';
UPDATE score_levels SET criteria_cy = 'Seiciatrydd amenedigol neu nyrs amenedigol sydd ag amser wedi''i neilltuo ar gyfer y gwaith.' WHERE level = 1 AND criteria = 'A perinatal psychiatrist or a perinatal nurse with dedicated time.' AND criteria_cy = '';
UPDATE score_levels SET criteria_cy = 'Seiciatrydd amenedigol a nyrs amenedigol, y ddau ag amser wedi''i neilltuo ar gyfer y gwaith.' WHERE level = 2 AND criteria = 'A perinatal psychiatrist and a perinatal nurse, both with dedicated time.' AND criteria_cy = '';
UPDATE score_levels SET criteria_cy = 'Ar gael drwy oriau gwaith gyda seiciatrydd a nyrs penodol; gellir cysylltu â''r seiciatrydd drwy''r dydd.' WHERE level = 3 AND criteria = 'Runs through working hours with a dedicated psychiatrist and nurse; psychiatrist reachable all day.' AND criteria_cy = '';
UPDATE score_levels SET criteria_cy = 'Mae''r tîm yn bodloni meini prawf y Cyd-banel Comisiynu Iechyd Meddwl (JCP-MH).' WHERE level = 4 AND criteria = 'Team meets the Joint Commissioning Panel for Mental Health criteria.' AND criteria_cy = '';
UPDATE score_levels SET criteria_cy = 'Mae''r tîm yn bodloni safonau Math 1 cymunedol y Rhwydwaith Ansawdd Amenedigol.' WHERE level = 5 AND criteria = 'Team meets the Perinatal Quality Network community Type 1 standards.' AND criteria_cy = '';
