# Interface messages, English. Every key here must also exist in ../cy/main.ftl
# (the test `welsh_covers_every_public_message` checks), except staff-only prefixes.

## Layout chrome
skip-to-content = Skip to main content
exit-this-page = Exit this page
exit-emergency = Emergency:
exit-hint = Or press Shift 3 times
exit-press-two = Shift, press 2 more times to exit.
exit-press-one = Shift, press 1 more time to exit.
exit-activated = Exit this page activated.
exit-expired = Exit this page expired.
exit-loading = Loading.
get-help-now = Get help now
nav-main = Main menu
nav-home = Home
nav-news = News
nav-resources = Resources
nav-impact = Our impact
nav-search = Search
news-feed = News feed (RSS)
breadcrumbs = Breadcrumbs
in-this-section = In this section

## Footer
footer-help-title = If you need help now
footer-help-text = If you or someone else is in danger, call 999. For urgent help, call NHS 111 or Samaritans on 116 123, free, day or night.
footer-help-link = See all helplines
disclaimer-title = Information, not medical advice.
disclaimer-text = This website is for information only. It does not replace medical or legal advice. If something here upsets or worries you, support is available.
disclaimer-link = Read the full disclaimer
contact-title = Contact us
contact-media = Media enquiries
contact-membership = Membership enquiries
contact-other = Other enquiries
footer-privacy = Privacy and cookies
footer-accessibility = Accessibility
footer-staff = Staff log in
attribution-helplines = Helpline details come from each organisation's public pages; numbers we have not yet confirmed are marked.

## Errors
error-not-found-title = Page not found
error-title = Sorry, there is a problem
error-need-help = Do you need help now?
error-help-text = Whatever went wrong here, help is always available.
error-try = You could try:
error-code = Error code:

error-not_found = We could not find that page. It may have moved or been removed.
error-forbidden = Your account does not have permission to do that. Ask an admin if you need it.
error-bad_request = We could not understand that request. Go back and try again.
error-too_large = What you sent is too large. Make it smaller and try again.
error-too_many_requests = Too many tries in a short time. Wait a few minutes and try again.
error-login_required = Please log in.
error-cross_site = This form was sent from another website, so we did not accept it. Go back to the page on this site and try again.
error-unavailable = Part of the site is not working right now. Please try again in a few minutes.
error-internal = Something went wrong on our side. Please try again.
error-method_not_allowed = That address cannot be used this way. Go back and try again.
error-timeout = That took too long. Please try again in a moment.

## Demo and translation notices
demo-label = Demo
demo-banner = This is demo content. It shows what the site can do and is not verified information.
demo-figures = These figures are demo content paraphrased from the alliance's public website. Staff confirm or replace them.
not-translated = This page is not available in Welsh yet, so it is shown in English.

## Get help page
help-title = Get help now
help-intro = You are not alone, and help is available. If you are worried about yourself or someone else, use the services below.
help-emergency-title = In an emergency
help-emergency-text = If you or someone else might be in danger, or you cannot keep yourself safe, call 999 or go to A&E now.
help-urgent-title = Urgent help, day or night
help-urgent-text = If you need to talk to someone today, these services are free and open all hours.
help-support-title = Support and information
help-support-text = Someone to listen, information, and peer support from people who have been there.
help-call = Call
help-text = Text
help-hours = Open
help-unverified = We have not yet confirmed this number. Check the organisation's website.
help-sources = Staff check these details regularly. Each entry records its source.

## Home page
home-help-title = Need support now?
home-help-text = If you are struggling, you can talk to someone today.
home-help-more = All helplines and support
home-featured-more = Find out more
home-involved-title = Get involved
home-involved-news = Latest news
home-involved-news-text = Our campaigns, reports and what is changing.
home-involved-resources = Resources
home-involved-resources-text = Guidelines, reports and leaflets for families and professionals.
home-involved-impact = Our impact
home-involved-impact-text = What the alliance and its members have achieved.
home-involved-join = Join the alliance
home-involved-join-text = Organisations that share our aims can become members.
home-news-title = Latest news
home-news-all = All news

## Impact
impact-title = Our impact
impact-intro = What the alliance and its members have achieved together.
impact-section-investment = Investment won
impact-section-services = Services created
impact-section-reach = Our reach
impact-section-voice = Voices across the UK
nation-england = England
nation-wales = Wales
nation-scotland = Scotland
nation-northern-ireland = Northern Ireland

## News
news-tagged = News tagged
news-all = All news
news-none = There is no news here yet.
news-tags = Tags
news-minutes = min read
pagination = Pages
page = Page
page-previous = Previous page
page-next = Next page

## Resources
resources-intro = Guidelines, reports and leaflets for families and professionals.
resources-filter = Show
resources-all = All resources
resources-show = Show
resources-none = There are no resources of this kind yet.
resources-external = on another website
resource-kind-guideline = Guideline
resource-kind-report = Report
resource-kind-leaflet = Leaflet
resource-kind-other = Other

## Search
search-label = Search this site
search-results-for = results for
search-none = Nothing matched. Try fewer or different words.
search-kind-page = Page
search-kind-post = News
search-kind-resource = Resource

## Request errors with details
error-unreadable-body = We could not read what you sent. Please try again.
error-unreadable-form = We could not read the form. Please go back and try again.
error-unreadable-query = The address has a parameter we could not read.
error-no-such-resource-kind = There is no such kind of resource. Choose one from the list.

## Map
nav-support = Find support
nav-map = Map
map-title = Specialist perinatal mental health care across the UK
map-title-year = Specialist perinatal mental health care across the UK, { $year }
map-intro = Each NHS area is scored from 0 (no specialist community perinatal mental health service) to 5 (a team that meets the national quality standards). Choose an area to see how it has changed.
map-demo = These scores are demo content for illustration. They are not the alliance's data.
map-year = Year
map-compare = Compare with
map-compare-none = No comparison
map-show = Show
map-skip-to-table = Skip the map and go to the table
map-area-level = { $area }: level { $level }
map-area-unscored = { $area }: no score this year
map-legend = Key
map-level-n = Level { $level }
map-no-score = No score
map-by-nation = Areas at each level, by nation
map-nation = Nation
map-unscored-short = None
map-changes-since = What changed since { $year }
map-no-changes = No area changed level.
map-moved-up = Moved up
map-moved-down = Moved down
map-table-title = All areas
map-area = Area
map-level = Level
map-level-in = Level in { $year }
map-download-svg = Download the map (SVG)
map-data-json = The data (JSON)
area-retired = This area no longer exists in the current NHS boundaries. Its history is kept here.
area-see-successor = See { $name }
area-no-scores = This area has no scores yet.
area-history = Level over the years
area-history-chart = Bar chart of this area's level in each year; the table below gives the same numbers.
area-scores-table = Scores
area-year = Year
area-note = Note
area-source = Source
error-bad-year = Choose a year from the list.
area-services = Services for this area
area-no-services = We have no services recorded for this area yet.
area-nearest-mbus = Nearest mother and baby units
area-nearest-mbus-note = Distances are straight-line, from the middle of the area, and approximate.
area-km = about { $km } km
service-kind-community = Specialist community perinatal mental health team
service-kind-mbu = Mother and baby unit
service-kind-mmhs = Maternal mental health service
service-kind-other = Other perinatal support
service-demo = This is a demo service for illustration. It is not a real service.
service-unverified = We have not yet confirmed these details with the service. Check with them before you rely on them.
service-unverified-short = details not yet confirmed
service-status = Status: { $status }
service-who = Who it is for
service-referral = How to be referred
service-hours = Opening hours
service-beds = Beds
service-phone = Phone
service-website = Website
service-where = Where
service-notes = Notes
service-source = Source
service-no-source = No source recorded yet.
service-checked = Checked on { $date } by { $who }
service-help-first = If you need help now, do not wait for a referral: these services are open today.
api-bad-parameter = The parameter “{ $name }” has a value we cannot use. Check the API documentation.
map-open-full = Open the full map
area-criteria = Criteria met

## Support finder
finder-title = Find support near you
finder-title-area = Support in { $area }
finder-intro = Enter your postcode or the name of your town to see the help and services for where you live. Help is always at the top of the results.
finder-label = Postcode or town
finder-hint = For example, CF10 3NQ or Swansea
finder-submit = Find support
finder-submit-private = Search without saving the postcode in your browser history
finder-private-hint = The address of the results page will not include what you typed.
finder-locate = Use my location
finder-locate-hint = Your browser will ask first. Your position is only used for this search and is not kept.
finder-locate-working = Finding your location…
finder-locate-failed = Your location could not be found. Please type your postcode or town instead.
finder-help-now = Help now
finder-your-area = Your health area
finder-level-year = assessed { $year }
finder-level-explain = This is how complete specialist perinatal mental health care is in this area, on the alliance's map.
finder-see-map = See the map
finder-local-services = Local services
finder-no-services = We have no local services recorded for this area yet. Your GP, midwife or health visitor can refer you to the perinatal mental health services here.
finder-referral = How to get referred:
finder-referral-default = ask your GP, midwife or health visitor.
finder-services-unavailable = Local services cannot be shown just now. The helplines above are always available.
finder-nearest-mbus = Nearest mother and baby units
finder-mbu-explain = Mother and baby units are specialist hospital units where you can stay with your baby. Distances are in a straight line and approximate.
finder-no-mbus = No mother and baby units are recorded yet.
finder-distance = about { $km } km ({ $miles } miles)
finder-result-for = Showing support for { $query }, in { $area }.
finder-result-position = Showing support for your location, in { $area }.
finder-corrected = You typed { $typed }; we read it as { $read }.
finder-district-only = We could not find that exact postcode (it may be new, or no longer used), so these results are for its postcode district. Check the postcode if they look wrong.
finder-district-split = Most of this postcode district ({ $share }%) is in this health area, but not all of it. If you live near the edge, check with your GP.
finder-place-note = Results for a town are for the health area its centre is in.
finder-skip-services = Skip to local services
finder-search-again = Search again
finder-problem-title = There is a problem
finder-problem-help = The helplines below are open to everyone, wherever you live.
finder-choose-place = There is more than one place with that name. Which one do you mean?
finder-error-empty = Enter a postcode or the name of a town.
finder-error-too-long = That is too long for a postcode. Enter a postcode, like CF10 3NQ, or the name of a town.
finder-error-characters = A postcode only has letters and numbers. Enter a postcode, like CF10 3NQ, or the name of a town.
finder-error-format = That does not look like a UK postcode. Check it and try again, for example CF10 3NQ.
finder-error-district-only = Enter a full postcode, like CF10 3NQ.
finder-error-unknown = We could not find that postcode. Check it and try again, or enter the name of your town.
finder-error-outside-nhs = Postcodes in Jersey, Guernsey and the Isle of Man, and British Forces postcodes, are outside the NHS areas this service covers. The national helplines can still help.
finder-error-no-place = We could not find a place with that name. Check the spelling, or enter your postcode.
finder-error-position-outside = That location is outside the four UK nations' NHS areas. Enter your postcode or town instead.
error-prefix = Error:
