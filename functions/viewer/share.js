/*
 * The share link's page (share.html at /api/share/{cameraId}/{shareId}?start&end&expires&kid&sig): plays the shared
 * range with hls.js from /api/share/{cameraId}/{shareId}/playlist.m3u8 with the same query (the share's token), and
 * says clearly why when the link is expired, revoked, altered or the range holds no recording. No account, no key.
 */
(function () {
  'use strict';
  var statusEl = document.getElementById('status');
  var video = document.getElementById('video');
  var query = new URLSearchParams(location.search);
  var parts = location.pathname.split('/');
  var cameraId = parts[parts.length - 2] || '';
  var playlistUrl = location.pathname.replace(/\/+$/, '') + '/playlist.m3u8' + location.search;

  /** Local date-time with the zone, and the UTC instant in a tooltip. */
  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '?';
    return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
  }

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.className = isError ? 'error' : '';
  }

  /** The message for an error answer `{ error: { code, message } }` of the playlist. */
  function messageFor(status, error) {
    var code = error && error.code;
    if (code === 'ShareRevoked') return 'This link was revoked by the person who shared it: it no longer plays.';
    if (code === 'ShareExpired' || code === 'PlaybackTokenExpired') return 'This link has expired (' + when(Number(query.get('expires'))) + '): ask for a new one.';
    if (code === 'ShareNotFound') return 'This link does not exist.';
    if (code === 'InvalidPlaybackToken') return 'This link is incomplete or was altered: open it exactly as it was sent.';
    if (code === 'NoMediaInRange') return 'Nothing was recorded in this range.';
    return 'This recording cannot be played (' + status + (error && error.message ? ': ' + error.message : '') + ').';
  }

  function refuse(res) {
    return res.json().then(
      function (body) { setStatus(messageFor(res.status, body && body.error), true); },
      function () { setStatus(messageFor(res.status, undefined), true); },
    );
  }

  document.getElementById('camera').textContent = cameraId;
  document.getElementById('range').textContent = when(query.get('start')) + ' to ' + when(query.get('end'));
  document.getElementById('range').title = (query.get('start') || '') + ' .. ' + (query.get('end') || '') + ' (UTC)';
  var expires = Number(query.get('expires'));
  if (expires > 0) document.getElementById('expiry').textContent = 'Link valid until ' + when(expires) + '.';

  // Ask once ourselves: an error answer's code tells revoked from expired, which hls.js does not pass on.
  fetch(playlistUrl, { cache: 'no-store', credentials: 'omit' }).then(function (res) {
    if (!res.ok) return refuse(res);
    if (!window.Hls || !window.Hls.isSupported()) {
      if (video.canPlayType('application/vnd.apple.mpegurl')) {
        video.src = playlistUrl;
        setStatus('Ready: press play.', false);
        return undefined;
      }
      setStatus('This browser cannot play HLS video.', true);
      return undefined;
    }
    var hls = new window.Hls({ maxBufferLength: 30 });
    hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
      setStatus('Ready: press play.', false);
      var playing = video.play();
      if (playing && playing.catch) playing.catch(function () { /* autoplay refused: the person presses play */ });
    });
    hls.on(window.Hls.Events.ERROR, function (_event, data) {
      if (!data.fatal) return;
      hls.destroy();
      // Ask again to say why: the link may have been revoked or expired meanwhile.
      fetch(playlistUrl, { cache: 'no-store', credentials: 'omit' }).then(function (again) {
        if (!again.ok) return refuse(again);
        setStatus('Playback stopped: ' + (data.details || 'error') + '. Reload the page to try again.', true);
        return undefined;
      }, function () { setStatus('Playback stopped: the service is out of reach.', true); });
    });
    video.addEventListener('playing', function () { setStatus('Playing.', false); });
    hls.loadSource(playlistUrl);
    hls.attachMedia(video);
    return undefined;
  }, function () {
    setStatus('The service is out of reach: try again later.', true);
  });
})();
