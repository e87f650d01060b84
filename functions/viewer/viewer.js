/*
 * Keepwatch viewer (served at GET /api/viewer/viewer.js). Plain browser JavaScript, no framework, no bundler.
 *
 * - Credentials: `authHeaders()` is the one place that says how API calls authenticate: with sign-in configured, the
 *   bearer access token viewer-signin.js got from the issuer (`window.keepwatchAuth`; a 401 signs in again, a 403 says
 *   what is not allowed); otherwise the function key, asked once or taken from the address's `#key=` fragment that
 *   `npm start` prints, kept in sessionStorage for this tab and sent as `x-functions-key`. Neither ever goes into a URL
 *   that is requested (downloads and images go through fetch).
 * - Camera grid: one tile per camera with its latest preview image (refreshed every TILE_REFRESH_MS) and a badge of
 *   its `health`. Tiles are images, not live video: a live tile would download the camera's full bitrate per viewer
 *   and, for an EVR camera, keep its agent uploading (docs/live.md "What live costs"); only the chosen camera plays live.
 * - Choosing a camera plays it live (GET live → signed live playlist, hls.js) and shows the last hour of its timeline.
 * - Timeline: any window from MIN_VIEW_MS to MAX_VIEW_MS; recorded ranges (availableMedia at full precision, ≤ 24 h
 *   per request, AVA allows ≤ 25 h), gaps with the causes the device reported (GET gaps), EVR recordings and their
 *   signals (GET recordings), thumbnails (GET previews, signed URLs). Refreshed every REFRESH_MS.
 * - Times are shown with Intl in the browser's time zone, or in UTC (toggle); the API is always called with UTC ISO 8601.
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

/** Signal markers `{atMs, label, recordingId}` of the recordings' listed signals inside [fromMs, toMs), by time. */
function viewerSignalMarks(recordings, fromMs, toMs) {
  var out = [];
  recordings.forEach(function (r) {
    r.signals.forEach(function (s) {
      var at = Date.parse(s.time);
      if (at >= fromMs && at < toMs) out.push({ atMs: at, label: s.label || s.type, recordingId: r.id });
    });
  });
  return out.sort(function (a, b) { return a.atMs - b.atMs; });
}

/**
 * Joins the `timeRanges` of consecutive availableMedia answers (each clipped to its request, ends inclusive) into
 * `{startMs, endMs}` ranges, sorted; ranges that touch or are 1 ms apart (a request boundary) become one.
 */
function viewerMergeRanges(timeRanges) {
  var ranges = timeRanges
    .map(function (r) { return { startMs: Date.parse(r.start), endMs: Date.parse(r.end) }; })
    .sort(function (a, b) { return a.startMs - b.startMs; });
  var out = [];
  ranges.forEach(function (r) {
    var last = out[out.length - 1];
    if (last && r.startMs - last.endMs <= 1) last.endMs = Math.max(last.endMs, r.endMs);
    else out.push({ startMs: r.startMs, endMs: r.endMs });
  });
  return out;
}

/**
 * Gap bars of the timeline: every hole between consecutive recorded ranges, plus each reported gap after the last range
 * (the camera is down now), each `{startMs, endMs, causes}` with the causes of the device's reported gaps
 * (`GET .../gaps`: `{start, end, cause}`) that overlap it; `causes` is empty when the device reported none.
 */
function viewerGapBars(ranges, reportedGaps) {
  var reported = reportedGaps.map(function (g) { return { startMs: Date.parse(g.start), endMs: Date.parse(g.end), cause: g.cause }; });
  function causes(fromMs, toMs) {
    return reported
      .filter(function (g) { return g.startMs < toMs && g.endMs > fromMs; })
      .map(function (g) { return g.cause; })
      .filter(function (c, i, all) { return all.indexOf(c) === i; });
  }
  var out = [];
  for (var i = 1; i < ranges.length; i++) {
    out.push({ startMs: ranges[i - 1].endMs, endMs: ranges[i].startMs, causes: causes(ranges[i - 1].endMs, ranges[i].startMs) });
  }
  var lastEnd = ranges.length ? ranges[ranges.length - 1].endMs : -Infinity;
  reported.forEach(function (g) {
    if (g.startMs >= lastEnd) out.push({ startMs: g.startMs, endMs: g.endMs, causes: [g.cause] });
  });
  return out;
}

/** Thumbnail steps the previews route accepts (PT2S..PT1H), seconds; fixed steps keep thumbnail times (and the cache) stable. */
var VIEWER_THUMB_STEPS_S = [2, 5, 10, 30, 60, 300, 900, 3600];

/** The ISO 8601 `interval` for thumbnails over spanMs: the shortest step giving at most `count` thumbnails (PT1H at most). */
function viewerThumbInterval(spanMs, count) {
  var s = VIEWER_THUMB_STEPS_S.filter(function (step) { return spanMs / (step * 1000) <= count; })[0] || 3600;
  return s < 60 ? 'PT' + s + 'S' : s < 3600 ? 'PT' + s / 60 + 'M' : 'PT1H';
}

/** Seconds to seek into a playback answer's playlist so play starts at its `start` (the playlist starts at a segment start). */
function viewerSeekOffsetS(playback) {
  var first = playback.ranges.length ? Date.parse(playback.ranges[0].start) : Date.parse(playback.start);
  return Math.max(0, (Date.parse(playback.start) - first) / 1000);
}
// ---- end of pure helpers ------------------------------------------------------------------------------------

(function () {
  var KEY_STORAGE = 'keepwatch.functionKey';
  var UTC_STORAGE = 'keepwatch.utc';
  var MAX_PLAYBACK_MS = 24 * 3600 * 1000; // playback route limit (functions/playback/playback.ts)
  var AVAILABILITY_CHUNK_MS = 24 * 3600 * 1000; // availableMedia at full precision allows ≤ 25 h per request
  var DRAG_PX = 4; // a pointer move shorter than this is a click (play), longer a drag (select)
  var MIN_VIEW_MS = 10 * 1000; // narrowest zoom: seconds
  var MAX_VIEW_MS = 7 * 24 * 3600 * 1000; // widest zoom: a week
  var LIVE_VIEW_MS = 3600 * 1000; // the window shown when a camera is chosen: the last hour
  var REFRESH_MS = 10 * 1000; // timeline and camera list refresh
  var TILE_REFRESH_MS = 15 * 1000; // latest preview image of each tile
  var LOAD_DEBOUNCE_MS = 250;
  var THUMBS_PER_VIEW = 120; // at most this many thumbnails are listed per view (hover picks among them)
  var THUMB_PX = 112; // one thumbnail of the strip per this many pixels of width
  var SEEK_S = 10;
  var SEEK_SHIFT_S = 60;
  /** Tick steps, ms; the first giving few enough ticks for the width (TICK_PX) in the view is used. Sub-hour steps divide 30 min; others are whole hours. */
  var TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map(function (s) { return s * 1000; });
  var TICK_PX = 90; // at most one tick label per this many pixels of the timeline's width (≤ 10 on a wide screen)
  var apiBase = new URL('./', location.href); // the page is /api/viewer, so this is /api/
  var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  var $ = function (id) { return document.getElementById(id); };
  var state = {
    cameras: [], camera: null, viewStartMs: 0, viewEndMs: 0, ranges: [], gaps: [], recordings: [], rawRecordings: [], thumbs: [],
    hls: null, live: false, liveTimer: null, playingMs: null, selection: null, loadSeq: 0, loadTimer: null, utc: localStorage.getItem(UTC_STORAGE) === '1',
    tileUrls: {}, tileMissing: {},
  };
  var fmt = {};

  // ---- credentials: the one function to replace when the API takes another kind of credential ----------------

  /** Sign-in (viewer-signin.js) when it is configured and no key was given; null = the function key. */
  var signin = window.keepwatchAuth && window.keepwatchAuth.mode === 'signin' ? window.keepwatchAuth : null;

  /** Headers that authenticate an API call. */
  function authHeaders() { return signin ? signin.headers() : { 'x-functions-key': sessionStorage.getItem(KEY_STORAGE) || '' }; }
  function haveCredentials() { return signin ? true : !!sessionStorage.getItem(KEY_STORAGE); }

  // ---- API -------------------------------------------------------------------------------------------------

  /** GET an API path; resolves the Response when 2xx, else rejects with the API's error message. */
  function api(path, query) {
    var url = new URL(path, apiBase);
    Object.keys(query || {}).forEach(function (k) { url.searchParams.set(k, query[k]); });
    return fetch(url, { headers: authHeaders(), cache: 'no-store' }).then(function (res) {
      if (res.ok) return res;
      return res.json().catch(function () { return {}; }).then(function (body) {
        var err = new Error((body.error && body.error.message) || ('HTTP ' + res.status));
        err.status = res.status;
        err.code = body.error && body.error.code;
        if (res.status === 401) {
          if (signin) { stopPlayback(); $('main').hidden = true; signin.unauthorized(); }
          else if (err.code === 'Unauthorized') askForKey('The key was not accepted.');
        }
        if (res.status === 403) {
          var who = signin && signin.user();
          err.message = 'not allowed' + (who ? ' for ' + who.name : '') + ': ' + err.message;
        }
        throw err;
      });
    });
  }
  function apiJson(path, query) { return api(path, query).then(function (res) { return res.json(); }); }
  function cameraPath(rest) { return 'cameras/' + encodeURIComponent(state.camera.id) + rest; }

  // ---- key -------------------------------------------------------------------------------------------------

  function askForKey(message) {
    sessionStorage.removeItem(KEY_STORAGE);
    // With sign-in configured, forgetting (or a refused) key leads to the sign-in instead of the key form.
    if (window.keepwatchAuth && window.keepwatchAuth.available) { location.replace(location.pathname); return; }
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

  // ---- time zone and formatting ----------------------------------------------------------------------------

  function zoneName() { return state.utc ? 'UTC' : browserZone; }
  function makeFormatters() {
    var tz = state.utc ? { timeZone: 'UTC' } : {};
    function f(o) { return new Intl.DateTimeFormat(undefined, Object.assign({}, o, tz)); }
    fmt.time = f({ hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    fmt.hour = f({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    fmt.day = f({ weekday: 'short', day: 'numeric', month: 'short' });
    fmt.dateTime = f({ dateStyle: 'medium', timeStyle: 'medium', hourCycle: 'h23' });
    $('zone').textContent = 'Times in ' + zoneName();
    $('utc').checked = state.utc;
  }
  $('utc').addEventListener('change', function () {
    state.utc = $('utc').checked;
    localStorage.setItem(UTC_STORAGE, state.utc ? '1' : '0');
    makeFormatters();
    renderCameras();
    if (state.camera) { renderTimeline(); renderThumbs(); setSelection(state.selection); showPlaying(); }
  });

  function iso(ms) { return new Date(ms).toISOString(); }
  function pad(n) { return String(n).padStart(2, '0'); }
  /** Calendar fields of ms in the shown zone. */
  function parts(ms) {
    var d = new Date(ms);
    return state.utc
      ? { y: d.getUTCFullYear(), mo: d.getUTCMonth(), d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() }
      : { y: d.getFullYear(), mo: d.getMonth(), d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds() };
  }
  /** Epoch ms of a wall-clock time in the shown zone (local days are 23..25 h with DST). */
  function wall(y, mo, d, h, mi, s) { return state.utc ? Date.UTC(y, mo, d, h || 0, mi || 0, s || 0) : new Date(y, mo, d, h || 0, mi || 0, s || 0).getTime(); }
  function dayStartOf(ms) { var p = parts(ms); return wall(p.y, p.mo, p.d); }
  function dayAfter(dayStartMs) { var p = parts(dayStartMs); return wall(p.y, p.mo, p.d + 1); }
  /** `YYYY-MM-DD` of the shown zone's day containing ms. */
  function dayString(ms) { var p = parts(ms); return p.y + '-' + pad(p.mo + 1) + '-' + pad(p.d); }
  /** `YYYY-MM-DDTHH:mm:ss` in the shown zone, for datetime-local inputs. */
  function inputString(ms) { var p = parts(ms); return dayString(ms) + 'T' + pad(p.h) + ':' + pad(p.mi) + ':' + pad(p.s); }
  /** Epoch ms of a datetime-local value in the shown zone. */
  function fromInputString(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value || '');
    return m ? wall(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) : NaN;
  }
  function span(fromMs, toMs) { return fmt.time.format(new Date(fromMs)) + ' – ' + fmt.time.format(new Date(toMs)); }

  function status(text, isError) {
    $('status').textContent = text || '';
    $('status').className = isError ? 'error' : '';
  }

  // ---- cameras: grid with health badges and latest images ---------------------------------------------------

  function start() {
    if (!haveCredentials()) return askForKey('');
    $('key-form').hidden = true;
    $('main').hidden = false;
    $('forget-key').hidden = !!signin;
    status('Loading cameras…');
    loadCameras().then(function () {
      refreshTiles();
      if (state.cameras.length === 0) return status('No camera has recorded yet.');
      status('Choose a camera to watch it live.');
    });
  }

  function loadCameras() {
    return apiJson('cameras').then(function (body) {
      state.cameras = body.cameras;
      if (state.camera) state.camera = state.cameras.filter(function (c) { return c.id === state.camera.id; })[0] || state.camera;
      renderCameras();
    }).catch(function (err) { if (err.status !== 401) status('Could not list cameras: ' + err.message, true); });
  }

  /** Tooltip of a health badge: state, cause, message and since. */
  function healthText(h) {
    if (!h) return 'state unknown';
    return h.state + (h.cause ? ': ' + h.cause : '') + (h.message ? ' (' + h.message + ')' : '') + (h.since ? ', since ' + fmt.dateTime.format(new Date(h.since)) : '');
  }

  function renderCameras() {
    var list = $('cameras');
    state.cameras.forEach(function (c) {
      var b = list.querySelector('button[data-camera="' + CSS.escape(c.id) + '"]');
      if (!b) {
        var li = document.createElement('li');
        b = document.createElement('button');
        b.type = 'button';
        b.className = 'tile';
        b.dataset.camera = c.id;
        b.innerHTML = '<span class="tile-img"><img alt="" hidden></span><span class="tile-name"></span><span class="badge"></span><small></small>';
        b.querySelector('.tile-name').textContent = c.id;
        b.querySelector('img').alt = 'latest image of ' + c.id;
        b.addEventListener('click', function () { selectCamera(c.id); });
        li.appendChild(b);
        list.appendChild(li);
      }
      var h = c.health || { state: 'unknown' };
      var badge = b.querySelector('.badge');
      badge.className = 'badge ' + h.state;
      badge.textContent = h.state;
      badge.title = healthText(h);
      b.dataset.health = h.state;
      b.querySelector('small').textContent = 'last ' + fmt.dateTime.format(new Date(c.lastRecorded));
      b.setAttribute('aria-label', c.id + ', ' + healthText(h));
      b.setAttribute('aria-current', String(!!state.camera && state.camera.id === c.id));
    });
  }

  /**
   * Latest preview image of each camera, fetched with the credentials and shown from a blob: URL. A camera without a
   * stored segment (all deleted by retention) answers 404: its tile shows a placeholder, and it is not asked again
   * until the camera list says it recorded something newer.
   */
  function refreshTiles() {
    state.cameras.forEach(function (c) {
      if (state.tileMissing[c.id] === c.lastRecorded) return;
      api('cameras/' + encodeURIComponent(c.id) + '/preview', { size: 'small' })
        .then(function (res) { return res.blob(); })
        .then(function (blob) {
          delete state.tileMissing[c.id];
          var b = $('cameras').querySelector('button[data-camera="' + CSS.escape(c.id) + '"]');
          if (!b) return;
          var img = b.querySelector('img');
          if (state.tileUrls[c.id]) URL.revokeObjectURL(state.tileUrls[c.id]);
          state.tileUrls[c.id] = URL.createObjectURL(blob);
          img.src = state.tileUrls[c.id];
          img.hidden = false;
          b.querySelector('.tile-img').classList.remove('empty');
        })
        .catch(function (err) {
          if (err.status !== 404) return; // the tile keeps its last image; the badge says why a camera is down
          state.tileMissing[c.id] = c.lastRecorded;
          var b = $('cameras').querySelector('button[data-camera="' + CSS.escape(c.id) + '"]');
          if (!b) return;
          b.querySelector('img').hidden = true;
          b.querySelector('.tile-img').classList.add('empty');
        });
    });
  }

  function selectCamera(id) {
    state.camera = state.cameras.filter(function (c) { return c.id === id; })[0];
    if (!state.camera) return;
    renderCameras();
    $('camera-title').textContent = state.camera.id;
    state.ranges = []; state.gaps = []; state.recordings = []; state.rawRecordings = []; state.thumbs = [];
    renderThumbs();
    setSelection(null);
    var now = Date.now();
    setView(now - LIVE_VIEW_MS, now + LIVE_VIEW_MS * 0.02);
    startLive();
  }

  // ---- view window and loading -----------------------------------------------------------------------------

  /** Shows [fromMs, toMs], MIN_VIEW_MS..MAX_VIEW_MS wide, and loads its data (debounced). */
  function setView(fromMs, toMs) {
    var width = Math.min(MAX_VIEW_MS, Math.max(MIN_VIEW_MS, toMs - fromMs));
    var mid = (fromMs + toMs) / 2;
    state.viewStartMs = Math.round(mid - width / 2);
    state.viewEndMs = Math.round(mid + width / 2);
    $('day').value = dayString((state.viewStartMs + state.viewEndMs) / 2);
    renderTimeline();
    setSelection(state.selection);
    scheduleLoad();
  }

  function scheduleLoad() {
    clearTimeout(state.loadTimer);
    state.loadTimer = setTimeout(loadView, LOAD_DEBOUNCE_MS);
  }

  /** Ranges, gaps, recordings and thumbnails of the view; a newer load or camera makes an older answer void. */
  function loadView() {
    if (!state.camera) return;
    var seq = ++state.loadSeq;
    var from = state.viewStartMs;
    var to = state.viewEndMs;
    var chunks = [];
    for (var a = from; a < to; a += AVAILABILITY_CHUNK_MS) chunks.push([a, Math.min(to, a + AVAILABILITY_CHUNK_MS)]);
    var availability = Promise.all(chunks.map(function (c) {
      return apiJson(cameraPath('/availableMedia'), { precision: 'full', startTime: iso(c[0]), endTime: iso(c[1]) }).then(function (b) { return b.timeRanges; });
    })).then(function (answers) { return viewerMergeRanges([].concat.apply([], answers)); });
    var gaps = apiJson(cameraPath('/gaps'), { start: iso(from), end: iso(to) }).then(function (b) { return b.gaps; });
    var recordings = apiJson(cameraPath('/recordings'), { start: iso(from), end: iso(to) }).then(function (b) { return b.recordings; })
      .catch(function (err) { if (err.status === 404) return []; throw err; });
    var width = $('timeline').clientWidth || 800;
    var thumbs = apiJson(cameraPath('/previews'), { start: iso(from), end: iso(Math.min(to, Date.now())), interval: viewerThumbInterval(to - from, Math.min(THUMBS_PER_VIEW, Math.max(4, Math.floor(width / 8)))), size: 'small' })
      .then(function (b) {
        // Keep a thumbnail's earlier URL while it is valid: the browser's cache then answers each refresh's images.
        var known = {};
        state.thumbs.forEach(function (t) { if (t.expiresMs - Date.now() > 60000) known[t.ms] = t; });
        var expiresMs = Date.parse(b.expiresAt);
        return b.previews.map(function (p) { var ms = Date.parse(p.time); return known[ms] || { ms: ms, url: p.url, expiresMs: expiresMs }; });
      })
      .catch(function () { return []; });
    return Promise.all([availability, gaps, recordings, thumbs]).then(function (r) {
      if (seq !== state.loadSeq) return;
      state.ranges = r[0];
      state.gaps = viewerGapBars(r[0], r[1]);
      state.rawRecordings = r[2];
      state.recordings = viewerRecordingMarks(r[2], from, to);
      state.thumbs = r[3];
      renderTimeline();
      renderThumbs();
      var recordedMs = state.ranges.reduce(function (s, x) { return s + (Math.min(x.endMs, to) - Math.max(x.startMs, from)); }, 0);
      $('timeline').dataset.loaded = String(seq);
      if (!state.hls) status(state.ranges.length ? state.ranges.length + ' recorded range(s) in view, ' + Math.round(recordedMs / 1000) + ' s in total' : 'Nothing recorded in this window.');
    }).catch(function (err) { if (seq === state.loadSeq && err.status !== 401) status('Could not read the timeline: ' + err.message, true); });
  }

  /** Refresh: the camera list (health), and the view; while live and showing now, the view follows now. */
  function refresh() {
    if ($('main').hidden) return;
    loadCameras();
    if (!state.camera) return;
    var now = Date.now();
    var width = state.viewEndMs - state.viewStartMs;
    if (state.live && state.viewEndMs < now + width * 0.01) return setView(now - width * 0.98, now + width * 0.02);
    loadView();
  }

  function showDay(dayStartMs) { setView(dayStartMs, dayAfter(dayStartMs)); }
  function moveDay(delta) {
    var p = parts(dayStartOf((state.viewStartMs + state.viewEndMs) / 2));
    showDay(wall(p.y, p.mo, p.d + delta));
  }
  $('prev-day').addEventListener('click', function () { moveDay(-1); });
  $('next-day').addEventListener('click', function () { moveDay(1); });
  $('day').addEventListener('change', function () {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec($('day').value);
    if (m && state.camera) showDay(wall(+m[1], +m[2] - 1, +m[3]));
  });

  /** Zooms to the recorded ranges in view with 5 % margins. */
  function fitView() {
    var inView = state.ranges.filter(function (r) { return r.endMs > state.viewStartMs && r.startMs < state.viewEndMs; });
    if (!inView.length) return;
    var a = Math.max(state.viewStartMs, inView[0].startMs);
    var b = Math.min(state.viewEndMs, inView[inView.length - 1].endMs);
    var margin = Math.max(2000, (b - a) * 0.05);
    setView(a - margin, b + margin);
  }

  function zoom(factor, atMs) {
    var at = atMs === undefined ? (state.playingMs !== null && state.playingMs > state.viewStartMs && state.playingMs < state.viewEndMs ? state.playingMs : (state.viewStartMs + state.viewEndMs) / 2) : atMs;
    var from = at - (at - state.viewStartMs) * factor;
    var to = at + (state.viewEndMs - at) * factor;
    var width = Math.min(MAX_VIEW_MS, Math.max(MIN_VIEW_MS, to - from));
    var f = (at - from) / (to - from); // keep `at` where it is when the width is clamped
    setView(at - f * width, at + (1 - f) * width);
  }
  $('zoom-fit').addEventListener('click', fitView);
  $('zoom-day').addEventListener('click', function () { showDay(dayStartOf((state.viewStartMs + state.viewEndMs) / 2)); });
  $('zoom-week').addEventListener('click', function () { var now = Date.now(); setView(now - MAX_VIEW_MS + 3600000, now + 3600000); });
  $('zoom-in').addEventListener('click', function () { zoom(0.5); });
  $('zoom-out').addEventListener('click', function () { zoom(2); });

  // ---- rendering -------------------------------------------------------------------------------------------

  /** Percentage of the timeline's width at ms, clamped to the view window. */
  function pct(ms) {
    var f = (ms - state.viewStartMs) / (state.viewEndMs - state.viewStartMs);
    return Math.min(100, Math.max(0, f * 100));
  }

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

  function gapTitle(g) { return 'gap ' + span(g.startMs, g.endMs) + ': ' + (g.causes.length ? g.causes.join(', ') : 'no cause reported'); }

  function renderTimeline() {
    var track = $('track');
    track.textContent = '';
    state.ranges.forEach(function (r) {
      track.appendChild(bar('range', r.startMs, r.endMs, 'recorded ' + span(r.startMs, r.endMs)));
    });
    state.gaps.forEach(function (g) {
      var el = bar('gap', g.startMs, g.endMs, gapTitle(g));
      el.dataset.cause = g.causes.join(',');
      track.appendChild(el);
    });
    state.recordings.forEach(function (m) {
      var rec = bar('recording', m.startMs, m.endMs, m.label + ' ' + span(m.startMs, m.endMs) + ': click to play it');
      rec.dataset.recordingId = m.id;
      track.appendChild(rec);
    });
    viewerSignalMarks(state.rawRecordings, state.viewStartMs, state.viewEndMs).forEach(function (s) {
      var el = bar('signal', s.atMs, s.atMs, 'signal ' + s.label + ' at ' + fmt.time.format(new Date(s.atMs)));
      el.style.width = '';
      el.dataset.recordingId = s.recordingId;
      track.appendChild(el);
    });
    var now = Date.now();
    $('now-line').hidden = now < state.viewStartMs || now > state.viewEndMs;
    $('now-line').style.left = pct(now) + '%';
    placePlayhead();
    var timeline = $('timeline');
    timeline.dataset.viewStart = iso(state.viewStartMs);
    timeline.dataset.viewEnd = iso(state.viewEndMs);
    var ticks = $('ticks');
    ticks.textContent = '';
    tickTimes().forEach(function (t) {
      var label = document.createElement('span');
      var at = pct(t.ms);
      label.style.left = at + '%';
      if (at < 4) label.className = 'first'; // kept inside the timeline rather than centred on its tick
      else if (at > 96) label.className = 'last';
      label.dataset.time = iso(t.ms);
      label.textContent = (t.step >= 86400000 ? fmt.day : t.step < 60000 ? fmt.time : fmt.hour).format(new Date(t.ms));
      ticks.appendChild(label);
    });
  }

  /**
   * Tick instants inside the view on the shown wall clock. Steps under an hour are multiples of the step in epoch
   * time, which are wall-clock multiples too wherever the zone offset is a multiple of 30 min (nearly every zone);
   * longer steps walk wall-clock hours from midnight, so DST days get one more or one fewer.
   */
  function tickTimes() {
    var width = state.viewEndMs - state.viewStartMs;
    var maxTicks = Math.max(3, Math.min(10, Math.floor(($('timeline').clientWidth || 900) / TICK_PX)));
    var step = TICK_STEPS.filter(function (s) { return width / s <= maxTicks; })[0] || TICK_STEPS[TICK_STEPS.length - 1];
    var out = [];
    if (step < 3600000) {
      for (var t = Math.ceil(state.viewStartMs / step) * step; t < state.viewEndMs; t += step) out.push({ ms: t, step: step });
      return out;
    }
    var p = parts(dayStartOf(state.viewStartMs));
    for (var h = 0; ; h += step / 3600000) {
      var at = wall(p.y, p.mo, p.d, h);
      if (at >= state.viewEndMs) break;
      if (at >= state.viewStartMs) out.push({ ms: at, step: step });
    }
    return out;
  }

  /** A strip of thumbnails sampled evenly from the view's list; clicking one plays from its time. */
  function renderThumbs() {
    var strip = $('thumbs');
    var n = Math.max(1, Math.floor((strip.clientWidth || 600) / THUMB_PX));
    var list = state.thumbs;
    var picked = [];
    for (var i = 0; i < n && list.length; i++) {
      var t = list[Math.floor((i * list.length) / Math.min(n, list.length))];
      if (picked.indexOf(t) < 0) picked.push(t);
      if (picked.length >= list.length) break;
    }
    var key = picked.map(function (t) { return t.url; }).join(' ') + ' ' + state.utc;
    if (strip.dataset.key === key) return; // unchanged: keep the elements (a refresh never swaps a thumbnail under the pointer)
    strip.dataset.key = key;
    strip.textContent = '';
    picked.forEach(function (t) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'thumb';
      b.dataset.time = iso(t.ms);
      b.setAttribute('aria-label', 'play from ' + fmt.dateTime.format(new Date(t.ms)));
      var img = document.createElement('img');
      img.alt = '';
      img.loading = 'lazy';
      img.src = t.url;
      var label = document.createElement('span');
      label.textContent = fmt.time.format(new Date(t.ms));
      b.appendChild(img);
      b.appendChild(label);
      b.addEventListener('click', function () { play(t.ms); });
      strip.appendChild(b);
    });
  }

  // ---- pointer: hover card, click to play, drag to select, wheel to zoom ------------------------------------

  (function () {
    var timeline = $('timeline');
    var down = null;
    function msAt(clientX) {
      var box = timeline.getBoundingClientRect();
      var f = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
      return Math.round(state.viewStartMs + f * (state.viewEndMs - state.viewStartMs));
    }
    /** The hover card: time, what is there (recorded, gap and its cause, recording) and the thumbnail at or before it. */
    function hover(e) {
      var ms = msAt(e.clientX);
      var lines = [fmt.dateTime.format(new Date(ms))];
      var gap = state.gaps.filter(function (g) { return g.startMs <= ms && ms < g.endMs; })[0];
      var range = state.ranges.filter(function (r) { return r.startMs <= ms && ms < r.endMs; })[0];
      var rec = state.recordings.filter(function (r) { return r.startMs <= ms && ms < r.endMs; })[0];
      if (gap) lines.push(gapTitle(gap));
      else if (range) lines.push('recorded');
      else lines.push('nothing recorded');
      if (rec) lines.push(rec.label);
      var thumb = null;
      if (range) state.thumbs.forEach(function (t) { if (t.ms <= ms && t.ms >= range.startMs) thumb = t; });
      var img = $('hover-img');
      if (thumb) { if (img.getAttribute('src') !== thumb.url) img.src = thumb.url; img.hidden = false; } else img.hidden = true;
      $('hover-text').textContent = lines.join('\n');
      var card = $('hover');
      card.hidden = false;
      var box = timeline.getBoundingClientRect();
      var x = e.clientX - box.left;
      card.style.left = Math.max(0, Math.min(box.width - card.offsetWidth, x - card.offsetWidth / 2)) + 'px';
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
      if (state.camera && e.pointerType !== 'touch') hover(e);
      if (!down) return;
      if (Math.abs(e.clientX - down.x) >= DRAG_PX) down.dragging = true;
      if (down.dragging) setSelection(orderedRange(down.ms, msAt(e.clientX)));
    });
    timeline.addEventListener('pointerleave', function () { $('hover').hidden = true; });
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
    $('sel-start').value = inputString(sel.startMs);
    $('sel-end').value = inputString(sel.endMs);
  }

  function selectionFromInputs() {
    var s = fromInputString($('sel-start').value);
    var e = fromInputString($('sel-end').value);
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
    api(cameraPath('/export.mp4'), { start: iso(sel.startMs), end: iso(sel.endMs), tz: zoneName() })
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

  // ---- playback: live and recorded -------------------------------------------------------------------------

  function stopPlayback() {
    if (state.hls) state.hls.destroy();
    state.hls = null;
    setLive(false);
    var video = $('video');
    video.removeAttribute('src');
    video.load();
    state.playingMs = null;
    delete video.dataset.playing;
    delete video.dataset.requested;
    $('playhead').hidden = true;
    $('now-playing').textContent = '';
  }

  function setLive(on) {
    state.live = on;
    clearTimeout(state.liveTimer);
    var b = $('go-live');
    b.disabled = !state.camera || on;
    b.setAttribute('aria-pressed', String(on));
    $('archive').dataset.mode = on ? 'live' : 'recorded';
  }

  /** Live: GET live → signed live playlist; renewed a minute before it expires (docs/live.md "The URL and its token"). */
  function startLive() {
    var cameraId = state.camera.id;
    stopPlayback();
    status('Opening live…');
    apiJson(cameraPath('/live')).then(function (body) {
      if (!state.camera || state.camera.id !== cameraId) return;
      // Two target durations behind the edge (docs/viewer.md "Choices", measured): one stalls at some segment
      // boundaries (the next segment reaches the playlist a segment length + upload + index + reload after the newest began).
      attach(body.hlsUrl, -1, { liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 6 });
      setLive(true);
      var badge = $('mode-badge');
      badge.hidden = false;
      badge.textContent = body.mode.toUpperCase() + (body.coverage === 'while-watched' ? ', uploads while watched' : '');
      status('Live (a few seconds behind the camera: segment length + upload + index)');
      state.liveTimer = setTimeout(function () { if (state.live && state.camera && state.camera.id === cameraId) startLive(); }, Math.max(60000, Date.parse(body.expiresAt) - Date.now() - 60000));
    }).catch(function (err) { if (err.status !== 401) status('Could not open live: ' + err.message, true); });
  }
  $('go-live').addEventListener('click', function () {
    if (!state.camera) return;
    var now = Date.now();
    var width = state.viewEndMs - state.viewStartMs;
    setView(now - width * 0.98, now + width * 0.02);
    startLive();
  });

  /** Plays recorded video from atMs (or from the next recorded range after it) to the end of the recorded ranges loaded. */
  function play(atMs) {
    var range = state.ranges.filter(function (r) { return r.endMs > atMs; })[0];
    if (!range) return status('Nothing recorded after ' + fmt.dateTime.format(new Date(atMs)) + ' in this window.', true);
    var startMs = Math.max(atMs, range.startMs);
    var lastEnd = state.ranges[state.ranges.length - 1].endMs;
    var endMs = Math.min(lastEnd, startMs + MAX_PLAYBACK_MS);
    if (endMs - startMs < 1000) endMs = range.endMs;
    stopPlayback();
    status('Opening ' + fmt.dateTime.format(new Date(startMs)) + '…');
    apiJson(cameraPath('/playback'), { start: iso(startMs), end: iso(endMs) })
      .then(function (body) {
        // The playlist starts at the segment containing startMs: seek into it.
        var first = body.ranges.length ? Date.parse(body.ranges[0].start) : startMs;
        attach(body.hlsUrl, Math.max(0, (startMs - first) / 1000), {});
        $('video').dataset.requested = iso(startMs);
        status('Playing from ' + fmt.dateTime.format(new Date(startMs)) + ' (' + zoneName() + ')');
      })
      .catch(function (err) { if (err.status !== 401) status('Could not play: ' + err.message, true); });
  }

  /** Plays one EVR recording through its own playback route (functions/recordings/recording-playback.ts). */
  function playRecording(recordingId) {
    stopPlayback();
    status('Opening recording ' + recordingId + '…');
    apiJson(cameraPath('/recordings/' + encodeURIComponent(recordingId) + '/playback'))
      .then(function (body) {
        attach(body.hlsUrl, viewerSeekOffsetS(body), {});
        status('Playing recording from ' + fmt.dateTime.format(new Date(Date.parse(body.start))) + ' to ' + fmt.time.format(new Date(Date.parse(body.end))) + ' (' + zoneName() + ')');
      })
      .catch(function (err) { if (err.status !== 401) status('Could not play the recording: ' + err.message, true); });
  }

  /** Plays hlsUrl from offsetS (−1: the live edge) with hls.js, or natively where HLS is native (Safari). */
  function attach(hlsUrl, offsetS, options) {
    var video = $('video');
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls(Object.assign({ startPosition: offsetS, enableWorker: true }, options));
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
        if (offsetS >= 0) video.currentTime = offsetS;
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

  function showPlaying() {
    if (state.playingMs === null) return;
    $('now-playing').textContent = (state.live ? 'Live: ' : 'Showing ') + fmt.dateTime.format(new Date(state.playingMs)) + ' (' + zoneName() + ')';
    $('video').dataset.playing = iso(state.playingMs);
  }

  $('video').addEventListener('timeupdate', function () {
    var d = playingDate();
    if (!d) return;
    state.playingMs = d.getTime();
    showPlaying();
    placePlayhead();
  });

  function placePlayhead() {
    var ph = $('playhead');
    var ms = state.playingMs;
    ph.hidden = ms === null || ms < state.viewStartMs || ms >= state.viewEndMs;
    if (ms !== null) ph.style.left = pct(ms) + '%';
  }

  // ---- keyboard --------------------------------------------------------------------------------------------

  /** Seeks by deltaS: within the playlist when it holds the target, else recorded playback from there; past the end, live. */
  function seekBy(deltaS) {
    var video = $('video');
    if (!state.camera || state.playingMs === null) return;
    var target = state.playingMs + deltaS * 1000;
    if (state.live) {
      if (deltaS < 0) play(target);
      return;
    }
    var t = video.currentTime + deltaS;
    if (t >= 0 && t < video.duration - 0.5) {
      video.currentTime = t;
      return;
    }
    var lastEnd = state.ranges.length ? state.ranges[state.ranges.length - 1].endMs : 0;
    if (deltaS > 0 && target >= lastEnd) startLive();
    else play(target);
  }

  document.addEventListener('keydown', function (e) {
    if ($('main').hidden || e.altKey || e.ctrlKey || e.metaKey) return;
    var tag = e.target && e.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    var video = $('video');
    if (e.key === ' ' || e.code === 'Space') {
      if (tag === 'VIDEO') return; // the video's own controls handle it
      e.preventDefault();
      if (!state.hls && !video.currentSrc) return;
      if (video.paused) video.play().catch(function () {}); else video.pause();
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      seekBy((e.key === 'ArrowLeft' ? -1 : 1) * (e.shiftKey ? SEEK_SHIFT_S : SEEK_S));
    }
  });

  // ---- start -----------------------------------------------------------------------------------------------

  makeFormatters();
  setLive(false);
  takeKeyFromFragment();
  (window.keepwatchAuth ? window.keepwatchAuth.ready : Promise.resolve()).then(start);
  window.addEventListener('keepwatch:signed-out', function () { stopPlayback(); $('main').hidden = true; state.cameras = []; state.camera = null; $('cameras').textContent = ''; });
  setInterval(refresh, REFRESH_MS);
  setInterval(function () { if (!$('main').hidden) refreshTiles(); }, TILE_REFRESH_MS);
  window.addEventListener('resize', function () { if (state.camera) { renderTimeline(); renderThumbs(); } });
})();
