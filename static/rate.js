// Saves each answer of the rating form (a skill, an indicator, a core value) the moment it is given (the form works without
// this: "Save" posts every answer). A level is saved when chosen; a note or links when the
// field is left. Each save carries the answer's seq, so a stale window cannot overwrite a
// newer answer; the server's reply gives the new seq.
(function () {
    'use strict';
    var form = document.getElementById('rate-form');
    if (!form || !window.fetch || !window.URLSearchParams) return;
    var url = form.getAttribute('data-answer');
    var csrf = form.querySelector('input[name="csrf"]');

    function say(set, text) {
        var p = set.querySelector('.saved');
        if (p) p.textContent = text;
    }

    function save(set) {
        var item = set.getAttribute('data-item');
        var seq = form.querySelector('input[name="seq_' + item + '"]');
        var sel = set.querySelector('select[name="level_' + item + '"]');
        var level = sel || set.querySelector('input[name="level_' + item + '"]:checked');
        var body = new URLSearchParams();
        body.set('csrf', csrf ? csrf.value : '');
        body.set('item_id', item);
        body.set('level', level ? level.value : '');
        var note = form.elements['note_' + item];
        var links = form.elements['links_' + item];
        body.set('note', note ? note.value : '');
        body.set('links', links ? links.value : '');
        body.set('seq', seq ? seq.value : '0');
        say(set, 'Saving…');
        fetch(url, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { Accept: 'application/json' },
            body: body,
        }).then(function (r) {
            return r.json().then(function (j) {
                if (r.ok) {
                    if (seq && j.seq !== undefined) seq.value = String(j.seq);
                    say(set, 'Saved.');
                } else {
                    say(set, 'Not saved: ' + (j.error && j.error.message ? j.error.message : 'try "Save" below.'));
                }
            });
        }).catch(function () {
            say(set, 'Not saved: the connection failed. Your answer is still here; press "Save" when you are back online.');
        });
    }

    form.addEventListener('change', function (e) {
        var set = e.target.closest('[data-item]');
        if (set) save(set);
    });
})();
