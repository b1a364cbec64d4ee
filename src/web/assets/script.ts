// The browser script of the setup pages, served as /assets/app.js.
// Kept as a module so it ships inside the compiled code (no src/ at run time). Plain text between the
// backticks: no backticks, backslashes or dollar-brace in it.
export const SCRIPT = `// Progressive enhancement for the setup pages: copy buttons and a print button.
// The pages work fully without this file; it only adds conveniences where JavaScript runs.
(function () {
  'use strict';
  var body = document.body;
  var copyLabel = body.getAttribute('data-copy-label') || 'Copy';
  var copiedLabel = body.getAttribute('data-copied-label') || 'Copied';
  var status = document.getElementById('copy-status');

  function fallbackCopy(text) {
    // Clipboard API needs a secure context; plain-http deployments fall back to a hidden selection.
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'visually-hidden';
    body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    body.removeChild(area);
    return Promise.resolve(ok);
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  var values = document.querySelectorAll('[data-copy]');
  Array.prototype.forEach.call(values, function (value) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = copyLabel;
    button.setAttribute('aria-label', copyLabel + ': ' + value.getAttribute('data-copy'));
    var timer;
    button.addEventListener('click', function () {
      var text = value.textContent.trim();
      copy(text).then(function (ok) {
        if (!ok) return;
        button.textContent = copiedLabel;
        if (status) status.textContent = copiedLabel + ': ' + text;
        clearTimeout(timer);
        timer = setTimeout(function () { button.textContent = copyLabel; }, 2000);
      });
    });
    value.insertAdjacentElement('afterend', button);
  });

  // The program chooser: a link to a program's steps opens its section (browsers without auto-expanding
  // <details> on a fragment need this), and marks the choice.
  function openFromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var details = target.closest ? target.closest('details') : null;
    if (details) details.open = true;
    Array.prototype.forEach.call(document.querySelectorAll('.chooser a'), function (link) {
      if (link.getAttribute('href') === '#' + id) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    });
  }
  window.addEventListener('hashchange', openFromHash);
  openFromHash();

  Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
})();
`;
