// The printable documents' "印刷する" button (certificate, Article 11 report). A file, not inline
// script, so the CSP stays strict; without JavaScript the button stays hidden and the browser's own
// print command works the same (the print styles are in document.css).
(function () {
  'use strict';
  var buttons = document.querySelectorAll('[data-print]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener('click', function () {
      window.print();
    });
  }
})();
