/* A story being written is kept in this browser tab (sessionStorage) as it is typed, so a
 * reload or a lost connection does not lose it. It never leaves the device, is gone when
 * the tab is closed, and is cleared once the story is sent or Exit this page is used.
 * Without JavaScript the server still brings the whole form back on any error. */
(function () {
  'use strict';
  var KEY = 'mmha-story-draft';
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) { return; }
  if (document.querySelector('[data-clear-draft]')) { store.removeItem(KEY); return; }
  var form = document.getElementById('story-form');
  if (!form) { return; }
  var fields = ['title', 'body', 'first_name', 'town'];
  var saved = null;
  try { saved = JSON.parse(store.getItem(KEY) || 'null'); } catch (e) { saved = null; }
  if (saved) {
    fields.forEach(function (name) {
      var el = form.elements[name];
      if (el && !el.value && saved[name]) { el.value = saved[name]; }
    });
  }
  var note = document.getElementById('draft-note');
  var timer = null;
  form.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var draft = {};
      fields.forEach(function (name) {
        var el = form.elements[name];
        if (el) { draft[name] = el.value; }
      });
      try {
        store.setItem(KEY, JSON.stringify(draft));
        if (note) { note.hidden = false; }
      } catch (e) { /* storage full or blocked: the server still keeps input on errors */ }
    }, 500);
  });
})();
