// Saves the application draft when a field changes (the form works without this: each
// button saves too). Sends the whole form as the buttons do and says "Draft saved." politely.
// (form.action would be the buttons named "action", hence getAttribute.)
(function () {
    'use strict';
    var form = document.getElementById('apply-form');
    var say = document.getElementById('autosave');
    if (!form || !window.fetch || !window.URLSearchParams) return;
    form.addEventListener('change', function () {
        var body = new URLSearchParams(new FormData(form));
        body.set('action', 'save');
        fetch(form.getAttribute('action'), {
            method: 'POST',
            credentials: 'same-origin',
            headers: { Accept: 'application/json' },
            body: body,
        }).then(function (r) {
            if (say) say.textContent = r.ok ? 'Draft saved.' : 'Not saved: press "Save the draft and check" to see why.';
        }).catch(function () {
            if (say) say.textContent = 'Not saved: the connection failed. Your typing is still here.';
        });
    });
})();
