/*
 * Keepwatch viewer (served at GET /api/viewer/viewer.js). Plain browser JavaScript, no framework, no bundler.
 *
 * - The function key is asked once (or taken from the page address's `#key=` fragment, which `npm start` prints),
 *   kept in sessionStorage (this tab only) and sent as `x-functions-key` on API calls; it never goes into a URL that
 *   is requested (a download goes through fetch and a blob: URL for that reason).
 * - One visible day = local midnight to local midnight in the browser's time zone (23..25 h with DST), read with
 *   one availableMedia request at full precision (AVA allows ≤ 25 h per request, docs/reference/ava-behaviour.md
 *   "Playback").
 * - Times are shown with Intl in the browser's time zone; the API is always called with UTC ISO 8601.
 * - Playback: GET playback → signed hlsUrl, played by hls.js (or natively where HLS is native, e.g. Safari).
 */
'use strict';
// ---- pure helpers (no DOM; test/unit/functions/viewer/viewer-recordings.test.ts runs this block alone) -------------
/**
 * Recording markers of the timeline from the recordings route's answer (`GET .../recordings?start&end`): each recording
 * `{id, startMs, endMs, label}` clipped to [fromMs, toMs), sorted by start; `label` says state and signals.
 */
function viewerRecordingMarks(recordings, fromMs, toMs) {
  return recordings
    .map(function (r) {
      var kinds = r.signals.map(function (s) { return s.label || s.type; }).filter(function (k, i, all) { return all.indexOf(k) === i; });
      return {
        id: r.id,
        startMs: Math.max(fromMs, Date.parse(r.start)),
        endMs: Math.min(toMs, Date.parse(r.end)),
        label: (r.state === 'recording' ? 'recording (open)' : 'recording') + ', ' + r.signalCount + ' signal(s)' + (kinds.length ? ': ' + kinds.join(', ') : '') + (r.held ? ', held' : ''),
      };
    })
    .filter(function (m) { return m.endMs > m.startMs; })
    .sort(function (a, b) { return a.startMs - b.startMs; });
}

/** Seconds to seek into a playback answer's playlist so play starts at its `start` (the playlist starts at a segment start). */
function viewerSeekOffsetS(playback) {
  var first = playback.ranges.length ? Date.parse(playback.ranges[0].start) : Date.parse(playback.start);
  return Math.max(0, (Date.parse(playback.start) - first) / 1000);
}
// ---- end of pure helpers ------------------------------------------------------------------------------------

(function () {
  var KEY_STORAGE = 'keepwatch.functionKey';
  var MAX_PLAYBACK_MS = 24 * 3600 * 1000; // playback route limit (functions/playback/playback.ts)
  var DRAG_PX = 4; // a pointer move shorter than this is a click (play), longer a drag (select)
  var MIN_VIEW_MS = 20 * 1000; // narrowest zoom
  /** Tick steps, ms; the first giving ≤ MAX_TICKS ticks in the view is used. All divide 30 min or are whole hours. */
  var TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800].map(function (s) { return s * 1000; });
  var MAX_TICKS = 10;
  var apiBase = new URL('./', location.href); // the page is /api/viewer, so this is /api/
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var fmtTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  var fmtHour = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  var fmtSecond = fmtTime;
  var fmtDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium', hourCycle: 'h23' });

  var $ = function (id) { return document.getElementById(id); };
  var state = { cameras: [], camera: null, dayStartMs: 0, dayEndMs: 0, viewStartMs: 0, viewEndMs: 0, playingMs: null, ranges: [], recordings: [], hls: null, selection: null, loadSeq: 0 };

  // ---- API -------------------------------------------------------------------------------------------------

  function apiKey() { return sessionStorage.getItem(KEY_STORAGE); }

  /** GET an API path; resolves the Response when 2xx, else rejects with the API's error message. */
  function api(path, query) {
    var url = new URL(path, apiBase);
    Object.keys(query || {}).forEach(function (k) { url.searchParams.set(k, query[k]); });
    return fetch(url, { headers: { 'x-functions-key': apiKey() || '' }, cache: 'no-store' }).then(function (res) {
      if (res.ok) return res;
      return res.json().catch(function () { return {}; }).then(function (body) {
        var err = new Error((body.error && body.error.message) || ('HTTP ' + res.status));
        err.status = res.status;
        err.code = body.error && body.error.code;
        if (res.status === 401 && err.code === 'Unauthorized') askForKey('The key was not accepted.');
        throw err;
      });
    });
  }

  function apiJson(path, query) { return api(path, query).then(function (res) { return res.json(); }); }

  // ---- key -------------------------------------------------------------------------------------------------

  function askForKey(message) {
    sessionStorage.removeItem(KEY_STORAGE);
    stopPlayback();
    $('main').hidden = true;
    $('forget-key').hidden = true;
    $('key-form').hidden = false;
    $('key-error').textContent = message || '';
    $('key-input').value = '';
    $('key-input').focus();
  }

  /**
   * `npm start` prints the viewer's address with the key in its fragment (`/api/viewer#key=…`): a fragment is never
   * sent to a server; the key goes into sessionStorage as if typed, and leaves the address bar (and the history).
   */
  function takeKeyFromFragment() {
    var m = /(?:^#|&)key=([^&]+)/.exec(location.hash);
    if (!m) return;
    sessionStorage.setItem(KEY_STORAGE, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }

  $('key-form').addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, $('key-input').value.trim());
    $('key-input').value = '';
    start();
  });
  $('forget-key').addEventListener('click', function () { askForKey(''); });

  // ---- status and time helpers -----------------------------------------------------------------------------

  function status(text, isError) {
    $('status').textContent = text || '';
    $('status').className = isError ? 'error' : '';
  }

  function iso(ms) { return new Date(ms).toISOString(); }
  function pad(n) { return String(n).padStart(2, '0'); }
  /** `YYYY-MM-DD` of the local day containing ms. */
  function localDay(ms) { var d = new Date(ms); return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()); }
  /** `YYYY-MM-DDTHH:mm:ss` local, for datetime-local inputs. */
  function localInput(ms) { var d = new Date(ms); return localDay(ms) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }
  /** Epoch ms of a datetime-local value (a date-time without offset is local time in ECMAScript). */
  function fromLocalInput(value) { return value ? new Date(value).getTime() : NaN; }

  // ---- cameras ---------------------------------------------------------------------------------------------

  function start() {
    if (!apiKey()) return askForKey('');
    $('key-form').hidden = true;
    $('main').hidden = false;
    $('forget-key').hidden = false;
    status('Loading cameras…');
    apiJson('cameras').then(function (body) {
      state.cameras = body.cameras;
      renderCameras();
      if (state.cameras.length === 0) return status('No camera has recorded yet.');
      status('');
      selectCamera(state.cameras[0]);
    }).catch(function (err) { if (err.status !== 401) status('Could not list cameras: ' + err.message, true); });
  }

  function renderCameras() {
    var list = $('cameras');
    list.textContent = '';
    state.cameras.forEach(function (c) {
      var li = document.createElement('li');
      var b = document.createElement('button');
      b.type = 'button';
      b.dataset.camera = c.id;
      b.textContent = c.id;
      var small = document.createElement('small');
      small.textContent = 'last ' + fmtDateTime.format(new Date(c.lastRecorded));
      b.appendChild(small);
      b.addEventListener('click', function () { selectCamera(c); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  function selectCamera(camera) {
    state.camera = camera;
    Array.prototype.forEach.call($('cameras').querySelectorAll('button'), function (b) {
      b.setAttribute('aria-current', String(b.dataset.camera === camera.id));
    });
    $('camera-title').textContent = camera.id;
    stopPlayback();
    showDay(localDay(Date.parse(camera.lastRecorded) - 1));
  }

  // ---- day and timeline ------------------------------------------------------------------------------------

  function showDay(day) {
    var p = day.split('-').map(Number);
    state.dayStartMs = new Date(p[0], p[1] - 1, p[2]).getTime();
    state.dayEndMs = new Date(p[0], p[1] - 1, p[2] + 1).getTime();
    state.viewStartMs = state.dayStartMs;
    state.viewEndMs = state.dayEndMs;
    $('day').value = day;
    state.ranges = [];
    state.recordings = [];
    setSelection(null);
    renderTimeline();
    var seq = ++state.loadSeq;
    loadRecordings(seq);
    status('Loading availability…');
    apiJson('cameras/' + encodeURIComponent(state.camera.id) + '/availableMedia', {
      precision: 'full', startTime: iso(state.dayStartMs), endTime: iso(state.dayEndMs),
    }).then(function (body) {
      if (seq !== state.loadSeq) return; // another day or camera was chosen meanwhile
      state.ranges = body.timeRanges.map(function (r) { return { startMs: Date.parse(r.start), endMs: Date.parse(r.end), start: r.start, end: r.end }; });
      fitView();
      var recordedMs = state.ranges.reduce(function (s, r) { return s + (r.endMs - r.startMs); }, 0);
      status(state.ranges.length ? state.ranges.length + ' recorded range(s), ' + Math.round(recordedMs / 1000) + ' s in total' : 'Nothing recorded on this day.');
    }).catch(function (err) { if (seq === state.loadSeq && err.status !== 401) status('Could not read availability: ' + err.message, true); });
  }

  /** EVR recordings of the day as markers (a camera without any answers an empty list or 404: no markers). */
  function loadRecordings(seq) {
    apiJson('cameras/' + encodeURIComponent(state.camera.id) + '/recordings', { start: iso(state.dayStartMs), end: iso(state.dayEndMs) })
      .then(function (body) {
        if (seq !== state.loadSeq) return;
        state.recordings = viewerRecordingMarks(body.recordings, state.dayStartMs, state.dayEndMs);
        renderTimeline();
      })
      .catch(function (err) { if (seq === state.loadSeq && err.status !== 401 && err.status !== 404) status('Could not list recordings: ' + err.message, true); });
  }

  function moveDay(delta) {
    var p = $('day').value.split('-').map(Number);
    showDay(localDay(new Date(p[0], p[1] - 1, p[2] + delta).getTime()));
  }
  $('prev-day').addEventListener('click', function () { moveDay(-1); });
  $('next-day').addEventListener('click', function () { moveDay(1); });
  $('day').addEventListener('change', function () { if ($('day').value && state.camera) showDay($('day').value); });

  /** Percentage of the timeline's width at ms, clamped to the view window. */
  function pct(ms) {
    var f = (ms - state.viewStartMs) / (state.viewEndMs - state.viewStartMs);
    return Math.min(100, Math.max(0, f * 100));
  }

  /** Shows [fromMs, toMs] clamped to the day, at least MIN_VIEW_MS wide. */
  function setView(fromMs, toMs) {
    var span = Math.min(state.dayEndMs - state.dayStartMs, Math.max(MIN_VIEW_MS, toMs - fromMs));
    var mid = (fromMs + toMs) / 2;
    var start = Math.max(state.dayStartMs, Math.min(state.dayEndMs - span, mid - span / 2));
    state.viewStartMs = Math.round(start);
    state.viewEndMs = Math.round(start + span);
    renderTimeline();
    setSelection(state.selection);
  }

  /** Zooms to the day's recorded ranges with 5 % margins (the whole day when nothing is recorded). */
  function fitView() {
    if (!state.ranges.length) return setView(state.dayStartMs, state.dayEndMs);
    var a = state.ranges[0].startMs;
    var b = state.ranges[state.ranges.length - 1].endMs;
    var margin = Math.max(2000, (b - a) * 0.05);
    setView(a - margin, b + margin);
  }

  function zoom(factor, atMs) {
    var at = atMs === undefined ? (state.viewStartMs + state.viewEndMs) / 2 : atMs;
    var from = at - (at - state.viewStartMs) * factor;
    var to = at + (state.viewEndMs - at) * factor;
    var span = Math.max(MIN_VIEW_MS, to - from);
    // Keep `at` under the pointer when the span is clamped.
    var f = (at - from) / (to - from);
    setView(at - f * span, at + (1 - f) * span);
  }
  $('zoom-fit').addEventListener('click', fitView);
  $('zoom-day').addEventListener('click', function () { setView(state.dayStartMs, state.dayEndMs); });
  $('zoom-in').addEventListener('click', function () { zoom(0.5); });
  $('zoom-out').addEventListener('click', function () { zoom(2); });

  function bar(cls, fromMs, toMs, title) {
    var el = document.createElement('div');
    el.className = cls;
    el.style.left = pct(fromMs) + '%';
    el.style.width = (pct(toMs) - pct(fromMs)) + '%';
    if (toMs < state.viewStartMs || fromMs > state.viewEndMs) el.hidden = true;
    el.title = title;
    el.dataset.start = iso(fromMs);
    el.dataset.end = iso(toMs);
    return el;
  }

  function span(fromMs, toMs) { return fmtTime.format(new Date(fromMs)) + ' – ' + fmtTime.format(new Date(toMs)); }

  function renderTimeline() {
    var track = $('track');
    track.textContent = '';
    state.ranges.forEach(function (r, i) {
      if (i > 0) {
        var prev = state.ranges[i - 1];
        track.appendChild(bar('gap', prev.endMs, r.startMs, 'gap ' + span(prev.endMs, r.startMs)));
      }
      track.appendChild(bar('range', r.startMs, r.endMs, 'recorded ' + span(r.startMs, r.endMs)));
      var marker = bar('marker', r.startMs, r.startMs, 'recording started ' + fmtTime.format(new Date(r.startMs)));
      marker.style.width = '';
      track.appendChild(marker);
    });
    state.recordings.forEach(function (m) {
      var rec = bar('recording', m.startMs, m.endMs, m.label + ' ' + span(m.startMs, m.endMs) + ': click to play it');
      rec.dataset.recordingId = m.id;
      track.appendChild(rec);
    });
    placePlayhead();
    var timeline = $('timeline');
    timeline.dataset.viewStart = iso(state.viewStartMs);
    timeline.dataset.viewEnd = iso(state.viewEndMs);
    var ticks = $('ticks');
    ticks.textContent = '';
    tickTimes().forEach(function (t) {
      var label = document.createElement('span');
      label.style.left = pct(t.ms) + '%';
      label.dataset.time = iso(t.ms);
      label.textContent = (t.step < 60000 ? fmtSecond : fmtHour).format(new Date(t.ms));
      ticks.appendChild(label);
    });
  }

  /**
   * Tick instants inside the view on the local wall clock. Steps under an hour are multiples of the step in epoch
   * time, which are local multiples too wherever the zone offset is a multiple of 30 min (nearly every zone);
   * hour steps walk local hours, so DST days get one more or one fewer.
   */
  function tickTimes() {
    var span = state.viewEndMs - state.viewStartMs;
    var step = TICK_STEPS.filter(function (s) { return span / s <= MAX_TICKS; })[0] || TICK_STEPS[TICK_STEPS.length - 1];
    var out = [];
    if (step < 3600000) {
      for (var t = Math.ceil(state.viewStartMs / step) * step; t < state.viewEndMs; t += step) out.push({ ms: t, step: step });
      return out;
    }
    var d = new Date(state.dayStartMs);
    for (var h = 0; ; h += step / 3600000) {
      var at = new Date(d.getFullYear(), d.getMonth(), d.getDate(), h).getTime();
      if (at >= state.dayEndMs) break;
      if (at >= state.viewStartMs && at < state.viewEndMs) out.push({ ms: at, step: step });
    }
    return out;
  }

  // Click to play, drag to select.
  (function () {
    var timeline = $('timeline');
    var down = null;
    function msAt(clientX) {
      var box = timeline.getBoundingClientRect();
      var f = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
      return Math.round(state.viewStartMs + f * (state.viewEndMs - state.viewStartMs));
    }
    timeline.addEventListener('wheel', function (e) {
      if (!state.camera) return;
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.25 : 0.8, msAt(e.clientX));
    }, { passive: false });
    timeline.addEventListener('pointerdown', function (e) {
      if (!state.camera) return;
      var rec = e.target && e.target.closest ? e.target.closest('.recording') : null;
      down = { x: e.clientX, ms: msAt(e.clientX), dragging: false, recordingId: rec ? rec.dataset.recordingId : null };
      timeline.setPointerCapture(e.pointerId);
    });
    timeline.addEventListener('pointermove', function (e) {
      if (!down) return;
      if (Math.abs(e.clientX - down.x) >= DRAG_PX) down.dragging = true;
      if (down.dragging) setSelection(orderedRange(down.ms, msAt(e.clientX)));
    });
    timeline.addEventListener('pointerup', function (e) {
      if (!down) return;
      var was = down;
      down = null;
      if (was.dragging) setSelection(orderedRange(was.ms, msAt(e.clientX)));
      else if (was.recordingId) playRecording(was.recordingId);
      else play(was.ms);
    });
  })();

  function orderedRange(a, b) { return { startMs: Math.min(a, b), endMs: Math.max(a, b) }; }

  // ---- selection and export --------------------------------------------------------------------------------

  function setSelection(sel) {
    state.selection = sel && sel.endMs > sel.startMs ? sel : null;
    var el = $('selection');
    if (!state.selection) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    el.dataset.start = iso(sel.startMs);
    el.dataset.end = iso(sel.endMs);
    el.style.left = pct(sel.startMs) + '%';
    el.style.width = (pct(sel.endMs) - pct(sel.startMs)) + '%';
    $('sel-start').value = localInput(sel.startMs);
    $('sel-end').value = localInput(sel.endMs);
  }

  function selectionFromInputs() {
    var s = fromLocalInput($('sel-start').value);
    var e = fromLocalInput($('sel-end').value);
    if (!(e > s)) return null;
    setSelection({ startMs: s, endMs: e });
    return state.selection;
  }
  $('sel-start').addEventListener('change', selectionFromInputs);
  $('sel-end').addEventListener('change', selectionFromInputs);

  $('download').addEventListener('click', function () {
    var sel = selectionFromInputs();
    if (!sel || !state.camera) return status('Select a range first: drag on the timeline or fill in from and to.', true);
    status('Preparing the MP4 of ' + span(sel.startMs, sel.endMs) + '…');
    api('cameras/' + encodeURIComponent(state.camera.id) + '/export.mp4', { start: iso(sel.startMs), end: iso(sel.endMs), tz: zone })
      .then(function (res) {
        var disposition = res.headers.get('content-disposition') || '';
        var m = /filename="?([^";]+)"?/.exec(disposition);
        var name = m ? m[1] : state.camera.id + '.mp4';
        var gaps = res.headers.get('keepwatch-gaps');
        return res.blob().then(function (blob) {
          var a = document.createElement('a');
          a.href = URL.createObjectURL(blob);
          a.download = name;
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
          status('Downloaded ' + name + (gaps ? ' (gaps: ' + gaps + ')' : ''));
        });
      })
      .catch(function (err) { if (err.status !== 401) status('Export failed: ' + err.message, true); });
  });

  // ---- playback --------------------------------------------------------------------------------------------

  function stopPlayback() {
    if (state.hls) state.hls.destroy();
    state.hls = null;
    var video = $('video');
    video.removeAttribute('src');
    video.load();
    state.playingMs = null;
    $('playhead').hidden = true;
    $('now-playing').textContent = '';
  }

  /** Plays from atMs (or from the next recorded range after it) to the end of the visible day's recordings. */
  function play(atMs) {
    var range = state.ranges.filter(function (r) { return r.endMs > atMs; })[0];
    if (!range) return status('Nothing recorded after ' + fmtTime.format(new Date(atMs)) + ' on this day.', true);
    var startMs = Math.max(atMs, range.startMs);
    var lastEnd = state.ranges[state.ranges.length - 1].endMs;
    var endMs = Math.min(lastEnd, startMs + MAX_PLAYBACK_MS);
    stopPlayback();
    status('Opening ' + fmtDateTime.format(new Date(startMs)) + '…');
    apiJson('cameras/' + encodeURIComponent(state.camera.id) + '/playback', { start: iso(startMs), end: iso(endMs) })
      .then(function (body) {
        // The playlist starts at the segment containing startMs: seek into it.
        var first = body.ranges.length ? Date.parse(body.ranges[0].start) : startMs;
        var offsetS = Math.max(0, (startMs - first) / 1000);
        attach(body.hlsUrl, offsetS);
        status('Playing from ' + fmtDateTime.format(new Date(startMs)) + ' (' + zone + ')');
      })
      .catch(function (err) { if (err.status !== 401) status('Could not play: ' + err.message, true); });
  }

  /** Plays one EVR recording through its own playback route (functions/recordings/recording-playback.ts). */
  function playRecording(recordingId) {
    stopPlayback();
    status('Opening recording ' + recordingId + '…');
    apiJson('cameras/' + encodeURIComponent(state.camera.id) + '/recordings/' + encodeURIComponent(recordingId) + '/playback')
      .then(function (body) {
        attach(body.hlsUrl, viewerSeekOffsetS(body));
        status('Playing recording from ' + fmtDateTime.format(new Date(Date.parse(body.start))) + ' to ' + fmtTime.format(new Date(Date.parse(body.end))) + ' (' + zone + ')');
      })
      .catch(function (err) { if (err.status !== 401) status('Could not play the recording: ' + err.message, true); });
  }

  function attach(hlsUrl, offsetS) {
    var video = $('video');
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ startPosition: offsetS, enableWorker: true });
      state.hls = hls;
      hls.on(window.Hls.Events.ERROR, function (_e, data) {
        if (data.fatal) {
          status('Playback failed: ' + data.type + ' ' + data.details, true);
          stopPlayback();
        }
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
        video.play().catch(function (err) { status('Press play: ' + err.message); });
      });
      hls.loadSource(hlsUrl);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = hlsUrl;
      video.addEventListener('loadedmetadata', function once() {
        video.removeEventListener('loadedmetadata', once);
        video.currentTime = offsetS;
        video.play().catch(function (err) { status('Press play: ' + err.message); });
      });
    } else {
      status('This browser cannot play HLS.', true);
    }
  }

  /** Wall-clock time of the frame shown (from #EXT-X-PROGRAM-DATE-TIME), or null. */
  function playingDate() {
    var video = $('video');
    if (state.hls) return state.hls.playingDate;
    if (typeof video.getStartDate === 'function') {
      var d = video.getStartDate();
      if (d && !isNaN(d.getTime())) return new Date(d.getTime() + video.currentTime * 1000);
    }
    return null;
  }

  $('video').addEventListener('timeupdate', function () {
    var d = playingDate();
    if (!d) return;
    state.playingMs = d.getTime();
    $('now-playing').textContent = 'Showing ' + fmtDateTime.format(d) + ' (' + zone + ')';
    placePlayhead();
  });

  function placePlayhead() {
    var ph = $('playhead');
    var ms = state.playingMs;
    ph.hidden = ms === null || ms < state.viewStartMs || ms >= state.viewEndMs;
    if (ms !== null) ph.style.left = pct(ms) + '%';
  }

  // ---- start -----------------------------------------------------------------------------------------------

  $('zone').textContent = 'Times in ' + zone;
  takeKeyFromFragment();
  start();
})();
