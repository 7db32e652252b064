/* global document, window, HTMLElement, FormData, URLSearchParams */
// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';

  function csrfToken(form) {
    var input = form.querySelector('input[name="_csrf"]');
    return input ? input.value : '';
  }

  function fieldBox(control) {
    return control.closest('[data-field]') || control.closest('.field');
  }

  function setError(control, message) {
    var box = fieldBox(control);
    var slot = document.getElementById(control.id + '-error');
    if (slot) slot.textContent = message || '';
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
    if (box) box.classList.toggle('invalid', Boolean(message));
  }

  // Inline messages for the browser's own constraint checks (required, min, max, step).
  document.addEventListener('invalid', function (event) {
    var control = event.target;
    if (control && control.id) setError(control, control.validationMessage);
  }, true);
  document.addEventListener('input', function (event) {
    var control = event.target;
    if (control && control.id && control.getAttribute('aria-invalid') === 'true' && control.checkValidity && control.checkValidity()) setError(control, '');
  });

  // Item lists (patents, equipment units): add and remove, keeping names numbered from 0.
  function renumber(list) {
    var base = list.getAttribute('data-list');
    var items = list.querySelectorAll('.list-items > [data-item]');
    items.forEach(function (item, index) {
      var title = item.querySelector('[data-item-title]');
      if (title) title.textContent = (document.documentElement.lang === 'en' ? 'Item ' + (index + 1) : '第 ' + (index + 1) + ' 项');
      item.querySelectorAll('[name]').forEach(function (control) {
        var oldId = control.id;
        var rest = control.name.slice(base.length).replace(/^\[(?:\d+|__i__)\]/, '[' + index + ']');
        control.name = base + rest;
        var newId = 'f-' + control.name.replace(/[^A-Za-z0-9_-]/g, '-');
        control.id = newId;
        var box = fieldBox(control);
        if (box) {
          var label = box.querySelector('label');
          if (label) label.htmlFor = newId;
          box.setAttribute('data-field', control.name);
          ['-error', '-help'].forEach(function (suffix) {
            var el = box.querySelector('[id="' + oldId + suffix + '"]');
            if (el) el.id = newId + suffix;
          });
        }
        var described = (control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean).map(function (id) {
          return id.indexOf(oldId) === 0 ? newId + id.slice(oldId.length) : id;
        });
        control.setAttribute('aria-describedby', described.join(' '));
      });
    });
    var min = Number(list.getAttribute('data-min-items') || 0);
    var max = Number(list.getAttribute('data-max-items') || 1000);
    list.querySelectorAll('.list-items [data-remove-item]').forEach(function (button) { button.disabled = items.length <= min; });
    var add = list.querySelector(':scope > [data-add-item]');
    if (add) add.disabled = items.length >= max;
  }

  document.querySelectorAll('[data-list]').forEach(function (list) {
    var container = list.querySelector('.list-items');
    var template = list.querySelector('template[data-item-template]');
    list.addEventListener('click', function (event) {
      var target = event.target;
      if (!(target instanceof HTMLElement)) return;
      if (target.matches('[data-add-item]')) {
        container.appendChild(template.content.cloneNode(true));
        renumber(list);
        var fresh = container.lastElementChild && container.lastElementChild.querySelector('input, select');
        if (fresh) fresh.focus();
        schedulePreview();
      } else if (target.matches('[data-remove-item]')) {
        var item = target.closest('[data-item]');
        var next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        renumber(list);
        var focusTarget = next ? next.querySelector('input, select') : list.querySelector('[data-add-item]');
        if (focusTarget) focusTarget.focus();
        schedulePreview();
      }
    });
    renumber(list);
  });

  // Live premium preview: posts the form to the page's JSON endpoint as you type.
  var form = document.getElementById('quote-form');
  var panel = document.getElementById('live-preview');
  var timer = null;
  var sequence = 0;
  var touched = new Set();

  function schedulePreview() {
    if (!form || !panel) return;
    clearTimeout(timer);
    timer = setTimeout(preview, 350);
  }

  function row(term, value, key) {
    var dt = document.createElement('dt');
    dt.textContent = term;
    var dd = document.createElement('dd');
    dd.textContent = value;
    dd.setAttribute('data-preview', key);
    return [dt, dd];
  }

  function showResult(data) {
    var p = document.createElement('p');
    var strong = document.createElement('strong');
    strong.textContent = panel.getAttribute('data-label-decision') + ': ';
    var outcome = document.createElement('span');
    outcome.setAttribute('data-preview', 'outcome');
    outcome.textContent = data.outcomeLabel;
    p.append(strong, outcome);
    var dl = document.createElement('dl');
    [['data-label-gross', data.gross, 'gross'], ['data-label-vat', data.vat, 'vat'], ['data-label-subsidy', data.subsidyTotal, 'subsidy'], ['data-label-net', data.expectedNetCost, 'net-cost'], ['data-label-version', data.productVersion, 'version']]
      .forEach(function (r) { dl.append.apply(dl, row(panel.getAttribute(r[0]), r[1], r[2])); });
    panel.replaceChildren(p, dl);
    panel.setAttribute('data-fen', String(data.grossPremiumFen));
  }

  function showPending() {
    var p = document.createElement('p');
    p.textContent = panel.getAttribute('data-pending');
    panel.replaceChildren(p);
    panel.removeAttribute('data-fen');
  }

  function showServerErrors(details) {
    var byName = {};
    details.forEach(function (d) { byName[d.path] = d.message; });
    form.querySelectorAll('[name^="inputs."], [name^="picks."], [name="enterpriseId"], [name="startDate"]').forEach(function (control) {
      if (!control.id) return;
      // Only speak about fields the user has filled in or left: no wall of "is required" while typing.
      var message = touched.has(control.name) ? byName[control.name] : '';
      if (message || control.getAttribute('data-server-error')) {
        setError(control, message || '');
        if (message) control.setAttribute('data-server-error', '1'); else control.removeAttribute('data-server-error');
      }
    });
  }

  // Rated only once it can be: the browser's own constraints hold and each either-or pair has a value.
  function ratable() {
    // validity (not checkValidity()): no 'invalid' events, so no messages on fields not reached yet.
    var controls = Array.prototype.slice.call(form.elements);
    if (!controls.every(function (c) { return !c.willValidate || c.validity.valid; })) return false;
    var groups = {};
    form.querySelectorAll('[data-either-or]').forEach(function (control) {
      var group = control.getAttribute('data-either-or');
      groups[group] = groups[group] || Boolean(control.value.trim());
    });
    return Object.keys(groups).every(function (group) { return groups[group]; });
  }

  function preview() {
    var mine = ++sequence;
    if (!ratable()) {
      showPending();
      return;
    }
    var body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute('data-preview-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrfToken(form), 'X-Requested-With': 'fetch', 'Accept': 'application/json' },
      body: body.toString(),
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (mine !== sequence) return;
      if (answer.ok && !answer.data.pending) {
        showResult(answer.data);
        showServerErrors([]);
      } else {
        showPending();
        showServerErrors(answer.data.details || (answer.data.error && answer.data.error.details) || []);
      }
    }).catch(function () { /* offline or signed out: the Calculate button still works */ });
  }

  // Switching language mid-quote posts the form as it stands to the other language's page, so
  // every field (list items, picks, facts) comes back filled in (without script: the plain link).
  var langSwitch = document.querySelector('[data-lang-switch]');
  if (form && langSwitch) {
    langSwitch.addEventListener('click', function (event) {
      event.preventDefault();
      var flag = document.createElement('input');
      flag.type = 'hidden';
      flag.name = '_switchLang';
      flag.value = '1';
      form.appendChild(flag);
      form.setAttribute('action', form.getAttribute('action').split('?')[0] + '?lang=' + encodeURIComponent(langSwitch.getAttribute('hreflang')));
      form.submit();
    });
  }

  if (form && panel) {
    form.addEventListener('input', function (event) { if (event.target.name) touched.add(event.target.name); schedulePreview(); });
    form.addEventListener('change', function (event) { if (event.target.name) touched.add(event.target.name); schedulePreview(); });
    form.querySelectorAll('[name^="inputs."], [name^="picks."], [name="enterpriseId"], [name="startDate"]').forEach(function (control) {
      if (control.value) touched.add(control.name);
    });
    schedulePreview();
  }

  // Impact analysis: the same form post, asking for NDJSON, so progress shows while it runs.
  var impactForm = document.getElementById('impact-form');
  var impactStatus = document.getElementById('impact-status');
  var impactOutput = document.getElementById('impact-output');

  function readLines(response, onLine) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffered = '';
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          if (buffered.trim()) onLine(JSON.parse(buffered));
          return undefined;
        }
        buffered += decoder.decode(chunk.value, { stream: true });
        var lines = buffered.split('\n');
        buffered = lines.pop();
        lines.filter(function (l) { return l.trim(); }).forEach(function (l) { onLine(JSON.parse(l)); });
        return pump();
      });
    }
    return pump();
  }

  if (impactForm && impactStatus && impactOutput && window.fetch && window.TextDecoder) {
    impactForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = impactForm.querySelector('button');
      button.disabled = true;
      var bar = document.createElement('progress');
      var text = document.createElement('span');
      text.textContent = impactStatus.getAttribute('data-running');
      impactStatus.replaceChildren(bar, document.createTextNode(' '), text);
      impactStatus.hidden = false;
      impactOutput.replaceChildren();
      fetch(impactForm.action, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrfToken(impactForm), 'X-Requested-With': 'fetch', 'Accept': 'application/x-ndjson' },
        body: new URLSearchParams(new FormData(impactForm)).toString(),
      }).then(function (response) {
        return readLines(response, function (message) {
          if (message.total !== undefined) {
            bar.max = Math.max(1, message.total);
            bar.value = message.done;
            text.textContent = message.label;
          } else if (message.html !== undefined) {
            impactOutput.innerHTML = message.html;
            impactStatus.hidden = true;
          } else if (message.error) {
            text.textContent = message.error;
          }
        });
      }).catch(function () { impactForm.submit(); }).finally(function () { button.disabled = false; });
    });
  }
})();
