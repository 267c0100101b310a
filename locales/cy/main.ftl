# Negeseuon y rhyngwyneb, Cymraeg. Machine-assisted first draft: to be reviewed by a
# Welsh-speaking member of staff before launch.

## Layout chrome
skip-to-content = Neidio i'r prif gynnwys
exit-this-page = Gadael y dudalen hon
exit-emergency = Argyfwng:
exit-hint = Neu pwyswch Shift 3 gwaith
exit-press-two = Shift, pwyswch 2 waith eto i adael.
exit-press-one = Shift, pwyswch 1 waith eto i adael.
exit-activated = Wedi gadael y dudalen hon.
exit-expired = Mae'r opsiwn gadael y dudalen hon wedi dod i ben.
exit-loading = Yn llwytho.
get-help-now = Cael help nawr
nav-main = Prif ddewislen
nav-home = Hafan
nav-news = Newyddion
nav-resources = Adnoddau
nav-impact = Ein heffaith
nav-search = Chwilio
news-feed = Ffrwd newyddion (RSS)
breadcrumbs = Briwsion bara
in-this-section = Yn yr adran hon

## Footer
footer-help-title = Os oes angen help arnoch nawr
footer-help-text = Os ydych chi neu rywun arall mewn perygl, ffoniwch 999. Am help brys, ffoniwch GIG 111 neu'r Samariaid ar 116 123, am ddim, ddydd a nos.
footer-help-link = Gweld pob llinell gymorth
disclaimer-title = Gwybodaeth, nid cyngor meddygol.
disclaimer-text = Gwybodaeth yn unig sydd ar y wefan hon. Nid yw'n cymryd lle cyngor meddygol na chyfreithiol. Os oes rhywbeth yma'n eich ypsetio neu'n eich poeni, mae cymorth ar gael.
disclaimer-link = Darllen yr ymwadiad llawn
contact-title = Cysylltu â ni
contact-media = Ymholiadau'r cyfryngau
contact-membership = Ymholiadau aelodaeth
contact-other = Ymholiadau eraill
footer-privacy = Preifatrwydd a chwcis
footer-accessibility = Hygyrchedd
footer-staff = Mewngofnodi staff
attribution-helplines = Daw manylion y llinellau cymorth o dudalennau cyhoeddus pob sefydliad; mae rhifau nad ydym wedi'u cadarnhau eto wedi'u marcio.

## Errors
error-not-found-title = Heb ddod o hyd i'r dudalen
error-title = Mae'n ddrwg gennym, mae problem
error-need-help = Oes angen help arnoch nawr?
error-help-text = Beth bynnag aeth o'i le yma, mae help ar gael bob amser.
error-try = Gallech roi cynnig ar:
error-code = Cod gwall:

error-not_found = Ni allem ddod o hyd i'r dudalen honno. Efallai ei bod wedi symud neu wedi cael ei dileu.
error-forbidden = Nid oes gan eich cyfrif ganiatâd i wneud hynny. Gofynnwch i weinyddwr os oes ei angen arnoch.
error-bad_request = Ni allem ddeall y cais hwnnw. Ewch yn ôl a rhowch gynnig arall arni.
error-too_large = Mae'r hyn a anfonoch yn rhy fawr. Gwnewch ef yn llai a rhowch gynnig arall arni.
error-too_many_requests = Gormod o ymdrechion mewn amser byr. Arhoswch ychydig funudau a rhowch gynnig arall arni.
error-login_required = Mewngofnodwch.
error-cross_site = Anfonwyd y ffurflen hon o wefan arall, felly ni wnaethom ei derbyn. Ewch yn ôl i'r dudalen ar y wefan hon a rhowch gynnig arall arni.
error-unavailable = Nid yw rhan o'r wefan yn gweithio ar hyn o bryd. Rhowch gynnig arall arni ymhen ychydig funudau.
error-internal = Aeth rhywbeth o'i le ar ein hochr ni. Rhowch gynnig arall arni.
error-method_not_allowed = Ni ellir defnyddio'r cyfeiriad hwnnw fel hyn. Ewch yn ôl a rhowch gynnig arall arni.
error-timeout = Cymerodd hynny ormod o amser. Rhowch gynnig arall arni mewn eiliad.

## Demo and translation notices
demo-label = Enghraifft
demo-banner = Cynnwys enghreifftiol yw hwn. Mae'n dangos beth all y wefan ei wneud ac nid yw'n wybodaeth wedi'i gwirio.
demo-figures = Cynnwys enghreifftiol yw'r ffigurau hyn, wedi'u haralleirio o wefan gyhoeddus y gynghrair. Bydd staff yn eu cadarnhau neu'n eu newid.
not-translated = Nid yw'r dudalen hon ar gael yn Gymraeg eto, felly mae'n cael ei dangos yn Saesneg.

## Get help page
help-title = Cael help nawr
help-intro = Dydych chi ddim ar eich pen eich hun, ac mae help ar gael. Os ydych chi'n poeni amdanoch chi'ch hun neu rywun arall, defnyddiwch y gwasanaethau isod.
help-emergency-title = Mewn argyfwng
help-emergency-text = Os gallech chi neu rywun arall fod mewn perygl, neu os na allwch gadw'ch hun yn ddiogel, ffoniwch 999 neu ewch i'r adran achosion brys nawr.
help-urgent-title = Help brys, ddydd neu nos
help-urgent-text = Os oes angen i chi siarad â rhywun heddiw, mae'r gwasanaethau hyn am ddim ac ar agor drwy'r amser.
help-support-title = Cymorth a gwybodaeth
help-support-text = Rhywun i wrando, gwybodaeth, a chymorth gan gymheiriaid sydd wedi bod yno.
help-call = Ffoniwch
help-text = Tecstiwch
help-hours = Ar agor
help-unverified = Nid ydym wedi cadarnhau'r rhif hwn eto. Gwiriwch wefan y sefydliad.
help-sources = Mae staff yn gwirio'r manylion hyn yn rheolaidd. Mae pob cofnod yn nodi ei ffynhonnell.

## Home page
home-help-title = Angen cymorth nawr?
home-help-text = Os ydych chi'n cael trafferth, gallwch siarad â rhywun heddiw.
home-help-more = Pob llinell gymorth a chymorth
home-featured-more = Rhagor o wybodaeth
home-involved-title = Cymryd rhan
home-involved-news = Newyddion diweddaraf
home-involved-news-text = Ein hymgyrchoedd, ein hadroddiadau a'r hyn sy'n newid.
home-involved-resources = Adnoddau
home-involved-resources-text = Canllawiau, adroddiadau a thaflenni i deuluoedd a gweithwyr proffesiynol.
home-involved-impact = Ein heffaith
home-involved-impact-text = Yr hyn y mae'r gynghrair a'i haelodau wedi'i gyflawni.
home-involved-join = Ymuno â'r gynghrair
home-involved-join-text = Gall sefydliadau sy'n rhannu ein nodau ddod yn aelodau.
home-news-title = Newyddion diweddaraf
home-news-all = Pob newyddion

## Impact
impact-title = Ein heffaith
impact-intro = Yr hyn y mae'r gynghrair a'i haelodau wedi'i gyflawni gyda'i gilydd.
impact-section-investment = Buddsoddiad a enillwyd
impact-section-services = Gwasanaethau a grëwyd
impact-section-reach = Ein cyrhaeddiad
impact-section-voice = Lleisiau ledled y DU
nation-england = Lloegr
nation-wales = Cymru
nation-scotland = Yr Alban
nation-northern-ireland = Gogledd Iwerddon

## News
news-tagged = Newyddion wedi'u tagio
news-all = Pob newyddion
news-none = Does dim newyddion yma eto.
news-tags = Tagiau
news-minutes = munud o ddarllen
pagination = Tudalennau
page = Tudalen
page-previous = Tudalen flaenorol
page-next = Tudalen nesaf

## Resources
resources-intro = Canllawiau, adroddiadau a thaflenni i deuluoedd a gweithwyr proffesiynol.
resources-filter = Dangos
resources-all = Pob adnodd
resources-show = Dangos
resources-none = Does dim adnoddau o'r math hwn eto.
resources-external = ar wefan arall
resource-kind-guideline = Canllaw
resource-kind-report = Adroddiad
resource-kind-leaflet = Taflen
resource-kind-other = Arall

## Search
search-label = Chwilio'r wefan hon
search-results-for = canlyniad ar gyfer
search-none = Dim byd yn cyfateb. Rhowch gynnig ar lai o eiriau neu eiriau gwahanol.
search-kind-page = Tudalen
search-kind-post = Newyddion
search-kind-resource = Adnodd

## Request errors with details
error-unreadable-body = Ni allem ddarllen yr hyn a anfonoch. Rhowch gynnig arall arni.
error-unreadable-form = Ni allem ddarllen y ffurflen. Ewch yn ôl a rhowch gynnig arall arni.
error-unreadable-query = Mae gan y cyfeiriad baramedr na allem ei ddarllen.
error-no-such-resource-kind = Does dim math o adnodd o'r fath. Dewiswch un o'r rhestr.

## Map
nav-support = Dod o hyd i gymorth
nav-map = Map
map-title = Gofal iechyd meddwl amenedigol arbenigol ledled y DU
map-title-year = Gofal iechyd meddwl amenedigol arbenigol ledled y DU, { $year }
map-intro = Mae pob ardal GIG yn cael sgôr o 0 (dim gwasanaeth iechyd meddwl amenedigol cymunedol arbenigol) i 5 (tîm sy'n bodloni'r safonau ansawdd cenedlaethol). Dewiswch ardal i weld sut mae wedi newid.
map-demo = Cynnwys enghreifftiol yw'r sgorau hyn, i ddangos sut mae'r map yn gweithio. Nid data'r gynghrair ydyn nhw.
map-year = Blwyddyn
map-compare = Cymharu â
map-compare-none = Dim cymhariaeth
map-show = Dangos
map-skip-to-table = Neidio heibio'r map i'r tabl
map-area-level = { $area }: lefel { $level }
map-area-unscored = { $area }: dim sgôr eleni
map-legend = Allwedd
map-level-n = Lefel { $level }
map-no-score = Dim sgôr
map-by-nation = Ardaloedd ar bob lefel, fesul gwlad
map-nation = Gwlad
map-unscored-short = Dim
map-changes-since = Beth sydd wedi newid ers { $year }
map-no-changes = Ni newidiodd lefel unrhyw ardal.
map-moved-up = Wedi codi
map-moved-down = Wedi gostwng
map-table-title = Pob ardal
map-area = Ardal
map-level = Lefel
map-level-in = Lefel yn { $year }
map-download-svg = Lawrlwytho'r map (SVG)
map-data-json = Y data (JSON)
area-retired = Nid yw'r ardal hon yn bodoli yn ffiniau presennol y GIG. Mae ei hanes yn cael ei gadw yma.
area-see-successor = Gweld { $name }
area-no-scores = Does dim sgorau gan yr ardal hon eto.
area-history = Lefel dros y blynyddoedd
area-history-chart = Siart bar o lefel yr ardal hon bob blwyddyn; mae'r tabl isod yn rhoi'r un rhifau.
area-scores-table = Sgorau
area-year = Blwyddyn
area-note = Nodyn
area-source = Ffynhonnell
error-bad-year = Dewiswch flwyddyn o'r rhestr.
area-services = Gwasanaethau ar gyfer yr ardal hon
area-no-services = Does gennym ni ddim gwasanaethau wedi'u cofnodi ar gyfer yr ardal hon eto.
area-nearest-mbus = Yr unedau mam a baban agosaf
area-nearest-mbus-note = Mae'r pellteroedd mewn llinell syth, o ganol yr ardal, ac yn fras.
area-km = tua { $km } km
service-kind-community = Tîm iechyd meddwl amenedigol cymunedol arbenigol
service-kind-mbu = Uned mam a baban
service-kind-mmhs = Gwasanaeth iechyd meddwl mamau
service-kind-other = Cymorth amenedigol arall
service-demo = Gwasanaeth enghreifftiol yw hwn. Nid yw'n wasanaeth go iawn.
service-unverified = Nid ydym wedi cadarnhau'r manylion hyn gyda'r gwasanaeth eto. Holwch nhw cyn dibynnu arnyn nhw.
service-unverified-short = manylion heb eu cadarnhau eto
service-status = Statws: { $status }
service-who = Ar gyfer pwy
service-referral = Sut i gael eich atgyfeirio
service-hours = Oriau agor
service-beds = Gwelyau
service-phone = Ffôn
service-website = Gwefan
service-where = Ble
service-notes = Nodiadau
service-source = Ffynhonnell
service-no-source = Dim ffynhonnell wedi'i chofnodi eto.
service-checked = Gwiriwyd ar { $date } gan { $who }
service-help-first = Os oes angen help arnoch nawr, peidiwch ag aros am atgyfeiriad: mae'r gwasanaethau hyn ar agor heddiw.
api-bad-parameter = Mae gan y paramedr “{ $name }” werth na allwn ei ddefnyddio. Gwiriwch ddogfennaeth yr API.
map-open-full = Agor y map llawn
area-criteria = Meini prawf a fodlonwyd

## Support finder
finder-title = Dod o hyd i gymorth yn agos atoch chi
finder-title-area = Cymorth yn { $area }
finder-intro = Rhowch eich cod post neu enw eich tref i weld yr help a'r gwasanaethau ar gyfer lle rydych chi'n byw. Mae help bob amser ar frig y canlyniadau.
finder-label = Cod post neu dref
finder-hint = Er enghraifft, CF10 3NQ neu Abertawe
finder-submit = Dod o hyd i gymorth
finder-submit-private = Chwilio heb gadw'r cod post yn hanes eich porwr
finder-private-hint = Fydd cyfeiriad y dudalen ganlyniadau ddim yn cynnwys yr hyn a deipiwyd gennych.
finder-locate = Defnyddio fy lleoliad
finder-locate-hint = Bydd eich porwr yn gofyn yn gyntaf. Dim ond ar gyfer y chwiliad hwn y defnyddir eich lleoliad, ac nid yw'n cael ei gadw.
finder-locate-working = Yn chwilio am eich lleoliad…
finder-locate-failed = Doedd dim modd dod o hyd i'ch lleoliad. Teipiwch eich cod post neu'ch tref yn lle hynny.
finder-help-now = Help nawr
finder-your-area = Eich ardal iechyd
finder-level-year = aseswyd { $year }
finder-level-explain = Dyma pa mor gyflawn yw gofal iechyd meddwl amenedigol arbenigol yn yr ardal hon, ar fap y gynghrair.
finder-see-map = Gweld y map
finder-local-services = Gwasanaethau lleol
finder-no-services = Does gennym ni ddim gwasanaethau lleol wedi'u cofnodi ar gyfer yr ardal hon eto. Gall eich meddyg teulu, eich bydwraig neu'ch ymwelydd iechyd eich atgyfeirio at y gwasanaethau iechyd meddwl amenedigol yma.
finder-referral = Sut i gael eich atgyfeirio:
finder-referral-default = gofynnwch i'ch meddyg teulu, eich bydwraig neu'ch ymwelydd iechyd.
finder-services-unavailable = Does dim modd dangos gwasanaethau lleol ar hyn o bryd. Mae'r llinellau cymorth uchod ar gael bob amser.
finder-nearest-mbus = Yr unedau mam a baban agosaf
finder-mbu-explain = Unedau ysbyty arbenigol yw unedau mam a baban, lle gallwch aros gyda'ch babi. Mae'r pellteroedd mewn llinell syth ac yn fras.
finder-no-mbus = Does dim unedau mam a baban wedi'u cofnodi eto.
finder-distance = tua { $km } km ({ $miles } milltir)
finder-result-for = Yn dangos cymorth ar gyfer { $query }, yn { $area }.
finder-result-position = Yn dangos cymorth ar gyfer eich lleoliad, yn { $area }.
finder-corrected = Fe deipioch chi { $typed }; rydym wedi'i ddarllen fel { $read }.
finder-district-only = Doedd dim modd i ni ddod o hyd i'r union god post hwnnw (efallai ei fod yn newydd, neu nad yw'n cael ei ddefnyddio mwyach), felly mae'r canlyniadau hyn ar gyfer ei ardal cod post. Gwiriwch y cod post os ydyn nhw'n edrych yn anghywir.
finder-district-split = Mae'r rhan fwyaf o'r ardal cod post hon ({ $share }%) yn yr ardal iechyd hon, ond nid y cyfan. Os ydych chi'n byw ger y ffin, holwch eich meddyg teulu.
finder-place-note = Mae canlyniadau ar gyfer tref yn dangos yr ardal iechyd y mae canol y dref ynddi.
finder-skip-services = Neidio i'r gwasanaethau lleol
finder-search-again = Chwilio eto
finder-problem-title = Mae problem
finder-problem-help = Mae'r llinellau cymorth isod ar agor i bawb, ble bynnag rydych chi'n byw.
finder-choose-place = Mae mwy nag un lle gyda'r enw hwnnw. Pa un ydych chi'n ei olygu?
finder-error-empty = Rhowch god post neu enw tref.
finder-error-too-long = Mae hynny'n rhy hir i fod yn god post. Rhowch god post, fel CF10 3NQ, neu enw tref.
finder-error-characters = Dim ond llythrennau a rhifau sydd mewn cod post. Rhowch god post, fel CF10 3NQ, neu enw tref.
finder-error-format = Dydy hynny ddim yn edrych fel cod post yn y DU. Gwiriwch ef a rhowch gynnig arall arni, er enghraifft CF10 3NQ.
finder-error-district-only = Rhowch god post llawn, fel CF10 3NQ.
finder-error-unknown = Doedd dim modd i ni ddod o hyd i'r cod post hwnnw. Gwiriwch ef a rhowch gynnig arall arni, neu rhowch enw eich tref.
finder-error-outside-nhs = Mae codau post yn Jersey, Guernsey ac Ynys Manaw, a chodau post y Lluoedd Prydeinig, y tu allan i'r ardaloedd GIG y mae'r gwasanaeth hwn yn eu cwmpasu. Gall y llinellau cymorth cenedlaethol helpu o hyd.
finder-error-no-place = Doedd dim modd i ni ddod o hyd i le gyda'r enw hwnnw. Gwiriwch y sillafu, neu rhowch eich cod post.
finder-error-position-outside = Mae'r lleoliad hwnnw y tu allan i ardaloedd GIG pedair gwlad y DU. Rhowch eich cod post neu'ch tref yn lle hynny.
error-prefix = Gwall:
