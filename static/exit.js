/* Exit this page, after the GOV.UK Design System component.
 * Without JavaScript the button is a link to /exit, which ends the session on the server
 * and redirects. With it: tell the server (sendBeacon), then replace this page in the
 * history with the neutral site so Back does not return here. Shift pressed three times
 * (within 5 seconds) does the same, with screen-reader announcements in between. */
(function () {
  'use strict';
  var button = document.querySelector('[data-exit-url]');
  if (!button) { return; }
  var target = button.getAttribute('data-exit-url');
  var live = document.querySelector('[data-exit-announce]');
  var overlay = document.querySelector('[data-exit-overlay]');
  var presses = 0;
  var timer = null;

  function say(key) {
    if (live) { live.textContent = live.getAttribute('data-msg-' + key) || ''; }
  }

  function exitNow(event) {
    if (event) { event.preventDefault(); }
    say('activated');
    if (overlay) { overlay.hidden = false; }
    /* Nothing typed on this device stays behind (a story draft is kept per tab). */
    try { window.sessionStorage.clear(); } catch (e) { /* blocked storage: nothing kept */ }
    document.body.classList.add('exiting');
    try {
      if (navigator.sendBeacon) { navigator.sendBeacon('/exit'); }
    } catch (e) { /* leaving matters more than telling the server */ }
    window.location.replace(target);
  }

  var links = document.querySelectorAll('[data-exit]');
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener('click', exitNow);
  }
  /* The button is a link with role="button": Space must work as it does on a button. */
  button.addEventListener('keydown', function (event) {
    if (event.key === ' ' || event.key === 'Spacebar') { exitNow(event); }
  });

  document.addEventListener('keyup', function (event) {
    if (event.key !== 'Shift') {
      presses = 0;
      return;
    }
    presses += 1;
    window.clearTimeout(timer);
    if (presses >= 3) {
      presses = 0;
      exitNow();
      return;
    }
    say(presses === 1 ? 'two' : 'one');
    timer = window.setTimeout(function () {
      presses = 0;
      say('expired');
    }, 5000);
  });

  /* A page restored from the back-forward cache after exiting must not show again. */
  window.addEventListener('pageshow', function (event) {
    if (event.persisted && document.body.classList.contains('exiting')) {
      window.location.replace(target);
    }
  });
})();
