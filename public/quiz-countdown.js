/*
 * The quiz's countdown to its deadline (views/worker/quiz.hbs). Without
 * JavaScript the deadline stays as text in the lead paragraph; with it, a
 * clock (role="timer", which screen readers do not announce on every tick)
 * shows the minutes and seconds left, and a polite live region says only
 * "5 minutes left" and "1 minute left" (and when the time is up), so a
 * screen-reader user is told twice, not every second. The server's time at
 * rendering (`data-now`) corrects a browser whose clock is wrong.
 */
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var box = document.querySelector('[data-countdown]');
    if (!box) return;
    var deadline = Date.parse(box.getAttribute('data-deadline'));
    var serverNow = Date.parse(box.getAttribute('data-now'));
    if (isNaN(deadline)) return;
    var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();
    var clock = box.querySelector('[data-countdown-clock]');
    var announce = box.querySelector('[data-countdown-announce]');
    var said = {};
    box.hidden = false;

    function pad(n) {
      return n < 10 ? '0' + n : String(n);
    }
    function say(key, attribute) {
      if (said[key]) return;
      said[key] = true;
      announce.textContent = box.getAttribute(attribute);
    }
    function tick() {
      var left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));
      clock.textContent = Math.floor(left / 60) + ':' + pad(left % 60);
      // Announced once each, as the time passes (a page opened with 3 minutes left says "5" never, "1" later).
      if (left <= 0) {
        say('over', 'data-msg-over');
        box.classList.add('countdown--over');
        return;
      }
      if (left <= 60) say('one', 'data-msg-one');
      else if (left <= 300 && left > 290) say('five', 'data-msg-five');
      if (left <= 300) box.classList.add('countdown--soon');
      window.setTimeout(tick, 500);
    }
    tick();
  });
})();
