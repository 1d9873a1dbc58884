/*
 * The quiz's countdown to its deadline (views/worker/quiz.hbs). Without
 * JavaScript the deadline stays as text in the lead paragraph; with it, a
 * clock (role="timer", which screen readers do not announce on every tick)
 * shows the minutes and seconds left, and a polite live region says only
 * "5 minutes left" and "1 minute left" (and when the time is up), so a
 * screen-reader user is told twice, not every second. The server's time at
 * rendering (`#countdown-now`) corrects a browser whose clock is wrong. The
 * words are hidden elements of the page (no data- attributes: the quiz page
 * carries nothing but the questions and their opaque choices).
 */
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var box = document.getElementById('countdown');
    if (!box) return;
    var byId = function (id) {
      return document.getElementById(id);
    };
    var deadline = Date.parse(byId('countdown-deadline').getAttribute('datetime'));
    var serverNow = Date.parse(byId('countdown-now').getAttribute('datetime'));
    if (isNaN(deadline)) return;
    var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();
    var clock = byId('countdown-clock');
    var announce = byId('countdown-announce');
    var said = {};
    box.hidden = false;

    function pad(n) {
      return n < 10 ? '0' + n : String(n);
    }
    function say(key) {
      if (said[key]) return;
      said[key] = true;
      announce.textContent = byId('countdown-' + key).textContent;
    }
    function tick() {
      var left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));
      clock.textContent = Math.floor(left / 60) + ':' + pad(left % 60);
      // Announced once each, as the time passes (a page opened with 3 minutes left says "5" never, "1" later).
      if (left <= 0) {
        say('over');
        box.classList.add('countdown--over');
        return;
      }
      if (left <= 60) say('one');
      else if (left <= 300 && left > 290) say('five');
      if (left <= 300) box.classList.add('countdown--soon');
      window.setTimeout(tick, 500);
    }
    tick();
  });
})();
