#!/usr/bin/python3
"""RTSP test camera for Keepwatch's tests, built on GStreamer's gst-rtsp-server.

Serves one or more MP4 files over RTSP as if each were a live IP camera:

* The file's video track (H.264, or H.265) and, if present, its AAC audio
  track are sent AS IS (parsed and RTP-payloaded, never decoded or
  re-encoded).
* Each file plays in real time and loops forever. The loops are laid end to
  end on one continuous timeline (loop k is shifted by k times the content's
  length, i.e. the largest DTS-or-PTS + duration of any track), so
  timestamps keep increasing across loop points; the looping itself uses
  non-flushing segment seeks, so nothing is lost or re-read at the seam.
* Each file plays from the moment the server starts, whether or not anyone is
  watching, like a real camera. Every client of a mount sees the same live
  stream (one shared media per mount). A client joins wherever the stream is
  (at a keyframe, mid-GOP, right at the start), as with a real camera: nothing
  is aligned or held back for the client's sake, so video is decodable from the
  next keyframe (keyframe spacing is a property of the file).

Design: per mount there are two pipelines and a pacing thread.

  source pipeline (runs from start-up until exit):
      filesrc ! qtdemux ! queue ! h264parse ! appsink(sync=false)   [video]
                       \\ ! queue ! aacparse ! appsink(sync=false)    [audio, if any]
  pacing thread: pulls the samples in timestamp order (video by DTS), maps
      them onto the continuous timeline T and waits on the system clock until
      each is due, then pushes it into the current media's appsrcs.
  RTSP media pipeline (created by gst-rtsp-server while clients are connected):
      appsrc(is-live) ! h264parse ! rtph264pay name=pay0 pt=96      [video]
      appsrc(is-live) ! aacparse ! rtpmp4gpay name=pay1 pt=97       [audio, if any]

The timestamps pushed are T moved to the media pipeline's running time (both
pipelines use the GStreamer system clock, so this is a constant offset per
media). Because the media pipeline is live, gst-rtsp-server treats it as not
seekable and ignores the Range header of PLAY, so a second client never
rewinds the shared stream.

Usage:
    /usr/bin/python3 rtsp-server.py --port 8554 \\
        --mount /person=/path/one-by-one-person-detection.mp4 \\
        --mount /car=/path/car-detection.mp4 [--no-loop] [--address 127.0.0.1]
        [--exit-on-stdin-eof] [--auth USER:PASS [--auth-digest]]
        [--launch '/mjpeg=( videotestsrc is-live=true ! video/x-raw,format=I420 ! jpegenc ! rtpjpegpay name=pay0 pt=26 )']

--auth USER:PASS makes every mount ask for HTTP Basic credentials (RTSP 401
without them or with others), as a camera with a password does; with
--auth-digest it asks for HTTP Digest (RFC 2617, MD5) instead, as most IP
cameras do.
--launch /PATH=LINE serves a gst-rtsp-server launch line as is (a payloader
named pay0, pay1...; shared, started when the first client connects): streams
a camera may send that the MP4 mounts cannot, e.g. MJPEG or audio only
(rtpjpegpay takes 4:2:0 JPEG only, hence format=I420; a line that cannot
prepare leaves its clients waiting). Its READY line's clip0 is the time the
server became ready (the launch line has no clip). At least one --mount or
--launch is required.

Once every mount is playing and the server socket is listening, one line per
mount is printed on stdout (and stdout is flushed):
    READY rtsp://127.0.0.1:8554/person clip0=1795330800123
Diagnostics go to stderr. SIGTERM or SIGINT make it stop and exit with code 0.

Exit codes: 0 clean stop, 2 bad arguments or unusable media file,
3 the port could not be bound (e.g. already in use), 1 other errors.

Needs Debian's python3 with gi (use /usr/bin/python3, not a pyenv python), and
the packages gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-good/bad.
"""

import argparse
import os
import signal
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
gi.require_version("GstPbutils", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstApp, GstPbutils, GstRtspServer  # noqa: E402,F401

EXIT_USAGE = 2
EXIT_BIND = 3


_T0 = time.monotonic()


def log(msg):
    # Never raise: stderr may be a closed pipe once the parent is gone, and a
    # failing log call must not keep the server from shutting down.
    try:
        sys.stderr.write("rtsp-server: [%8.3f] %s\n" % (time.monotonic() - _T0, msg))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


# video caps name -> (parser, payloader)
VIDEO_CODECS = {
    "video/x-h264": ("h264parse", "rtph264pay"),
    "video/x-h265": ("h265parse", "rtph265pay"),
}


class Track:
    """One elementary stream of a mount's source pipeline ("video" or "audio")."""

    def __init__(self, kind, sink):
        self.kind = kind
        self.sink = sink
        self.head = None  # next sample to send: (T, sample) or None
        self.loop = 0  # how many times this track has wrapped around
        self.seg_base = None  # base of the segment of the last sample pulled
        self.done = False  # EOS (only when not looping)


class Mount:
    """One MP4 file served at one RTSP mount path.

    The source pipeline demuxes and parses the file as fast as its small
    queues allow (appsinks with sync=false); a pacing thread (run()) takes the
    samples in timestamp order, maps them onto a continuous timeline
    ("T": time since the source started, in ns), waits on the system clock
    until T is due and pushes them into the appsrcs of the RTSP medias.
    """

    def __init__(self, path, filename, loop):
        self.path = path
        self.filename = os.path.abspath(filename)
        self.loop = loop
        self.video_caps_name = None
        self.has_audio = False
        self.duration = 0  # container duration (ns), from the discoverer
        self.pipeline = None
        self.tracks = []
        self.lock = threading.Lock()
        # Active medias: list of dicts {media, pipeline, vsrc, asrc}
        self.medias = []
        # Largest (DTS or PTS) + duration seen leaving the demuxer (ns from the
        # start of the file): the end of the content, i.e. the loop period.
        self.content_end = 0
        self.period = None
        self.start_time = None  # system clock time at which T = 0
        self.stopping = threading.Event()
        self.thread = None
        self.segment_dones = 0

    # -- inspection ---------------------------------------------------------
    def probe(self):
        """Find the file's tracks with GstPbutils.Discoverer. Raises ValueError."""
        if not os.path.isfile(self.filename):
            raise ValueError("%s: no such file" % self.filename)
        disc = GstPbutils.Discoverer.new(15 * Gst.SECOND)
        try:
            info = disc.discover_uri(Gst.filename_to_uri(self.filename))
        except GLib.Error as e:
            raise ValueError("%s: cannot read media: %s" % (self.filename, e.message))
        self.duration = info.get_duration()
        videos = info.get_video_streams()
        if not videos:
            raise ValueError("%s: no video track" % self.filename)
        vcaps = videos[0].get_caps().get_structure(0).get_name()
        if vcaps not in VIDEO_CODECS:
            raise ValueError("%s: video codec %s not supported (H.264/H.265 only)" % (self.filename, vcaps))
        self.video_caps_name = vcaps
        for a in info.get_audio_streams():
            s = a.get_caps().get_structure(0)
            ok, ver = s.get_int("mpegversion")
            if s.get_name() == "audio/mpeg" and ok and ver in (2, 4):
                self.has_audio = True
            else:
                log("%s: audio track %s is not AAC, serving video only" % (self.filename, s.get_name()))
            break

    # -- source pipeline ----------------------------------------------------
    def start_source(self):
        vparse = VIDEO_CODECS[self.video_caps_name][0]
        loc = self.filename.replace("\\", "\\\\").replace('"', '\\"')
        # Queues hold up to 5 s so that the demuxer can always deliver the
        # track the pacing thread is waiting for, whatever the interleaving.
        q = "queue max-size-time=5000000000 max-size-buffers=0 max-size-bytes=0"
        sink = "appsink sync=false emit-signals=false max-buffers=4 drop=false"
        desc = 'filesrc location="%s" ! qtdemux name=d d.video_0 ! %s name=vq ! %s ! %s name=vsink ' % (
            loc,
            q,
            vparse,
            sink,
        )
        if self.has_audio:
            desc += "d.audio_0 ! %s name=aq ! aacparse ! %s name=asink " % (q, sink)
        self.pipeline = Gst.parse_launch(desc)
        self.pipeline.set_name("source-" + self.path.strip("/").replace("/", "-"))
        self.tracks = [Track("video", self.pipeline.get_by_name("vsink"))]
        if self.has_audio:
            self.tracks.append(Track("audio", self.pipeline.get_by_name("asink")))
        for qname in ("vq", "aq") if self.has_audio else ("vq",):
            pad = self.pipeline.get_by_name(qname).get_static_pad("sink")
            pad.add_probe(Gst.PadProbeType.BUFFER, self.on_demuxed_buffer)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

        self.pipeline.set_state(Gst.State.PAUSED)
        ret, _, _ = self.pipeline.get_state(15 * Gst.SECOND)
        if ret == Gst.StateChangeReturn.FAILURE or ret == Gst.StateChangeReturn.ASYNC:
            raise RuntimeError("%s: source pipeline did not preroll" % self.filename)
        # A segment seek makes the demuxer post SEGMENT_DONE instead of EOS at
        # the end, so the next loop can be queued without flushing.
        flags = Gst.SeekFlags.FLUSH | Gst.SeekFlags.ACCURATE
        if self.loop:
            flags |= Gst.SeekFlags.SEGMENT
        if not self.pipeline.seek_simple(Gst.Format.TIME, flags, 0):
            raise RuntimeError("%s: initial seek failed" % self.filename)
        self.pipeline.get_state(15 * Gst.SECOND)
        self.pipeline.set_state(Gst.State.PLAYING)
        ret, _, _ = self.pipeline.get_state(15 * Gst.SECOND)
        if ret != Gst.StateChangeReturn.SUCCESS:
            raise RuntimeError("%s: source pipeline did not start playing" % self.filename)
        clock = Gst.SystemClock.obtain()
        self.start_time = clock.get_time() + 100 * Gst.MSECOND
        # The wall-clock time (epoch ms) of T = 0, i.e. of clip time 0 of the first loop (printed with READY).
        self.clip0_epoch_ms = time.time() * 1000 + (self.start_time - clock.get_time()) / Gst.MSECOND
        self.thread = threading.Thread(target=self.run, name="pace" + self.path, daemon=True)
        self.thread.start()

    def stop_source(self):
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(2)
        if self.pipeline is not None:
            self.pipeline.set_state(Gst.State.NULL)
            self.pipeline.get_bus().remove_signal_watch()

    def on_demuxed_buffer(self, pad, info):
        # Runs in the demuxer's thread. All buffers of a loop pass here before
        # the demuxer posts SEGMENT_DONE, so content_end is final by then.
        buf = info.get_buffer()
        ts = buf.dts if buf.dts != Gst.CLOCK_TIME_NONE else buf.pts
        if ts != Gst.CLOCK_TIME_NONE:
            end = ts + (buf.duration if buf.duration != Gst.CLOCK_TIME_NONE else 0)
            with self.lock:
                if end > self.content_end:
                    self.content_end = end
        return Gst.PadProbeReturn.OK

    def on_message(self, bus, msg):
        t = msg.type
        if t == Gst.MessageType.SEGMENT_DONE:
            # Queue the next loop: non-flushing segment seek back to the start.
            # The demuxer's own new segment base is not used (it is the start
            # of the last sample, not the end of the content); run() lays the
            # loops end to end using `period` instead.
            self.segment_dones += 1
            with self.lock:
                if self.period is None:
                    self.period = self.content_end if self.content_end > 0 else self.duration
                    log("%s: loop period %.3f s" % (self.path, self.period / Gst.SECOND))
            # (The demuxer runs up to ~5 s ahead of what is being sent.)
            log("%s: demuxer reached the end of loop %d, rewinding" % (self.path, self.segment_dones))
            self.pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.SEGMENT | Gst.SeekFlags.ACCURATE, 0)
        elif t == Gst.MessageType.EOS:
            log("%s: end of file (not looping)" % self.path)
        elif t == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            log("%s: source error: %s (%s)" % (self.path, err.message, dbg))
            GLib.idle_add(quit_main, 1)
        elif t == Gst.MessageType.WARNING:
            err, dbg = msg.parse_warning()
            log("%s: source warning: %s (%s)" % (self.path, err.message, dbg))

    # -- pacing thread --------------------------------------------------------
    def timeline(self, track, sample, ts):
        """Maps a buffer timestamp of `sample` to T (ns on the continuous timeline)."""
        if ts == Gst.CLOCK_TIME_NONE:
            return None
        seg = sample.get_segment()
        pos = ts - seg.start  # position in the file (every seek goes to 0)
        if track.loop == 0:
            return pos
        with self.lock:
            period = self.period
        return pos + track.loop * period

    def fill(self, track):
        """Makes sure track.head holds the next sample, if one is available within 100 ms."""
        if track.head is not None or track.done:
            return
        sample = track.sink.try_pull_sample(100 * Gst.MSECOND)
        if sample is None:
            if track.sink.is_eos():
                track.done = True
            return
        base = sample.get_segment().base
        if track.seg_base is not None and base != track.seg_base:
            track.loop += 1  # first sample of a new loop (new segment)
        track.seg_base = base
        buf = sample.get_buffer()
        key = self.timeline(track, sample, buf.dts if buf.dts != Gst.CLOCK_TIME_NONE else buf.pts)
        if key is None:
            return  # no timestamp: cannot be placed, drop
        track.head = (key, sample)

    def run(self):
        clock = Gst.SystemClock.obtain()
        try:
            while not self.stopping.is_set():
                for tr in self.tracks:
                    self.fill(tr)
                if any(tr.head is None and not tr.done for tr in self.tracks):
                    continue  # need the next sample of every live track to pick the earliest
                live = [tr for tr in self.tracks if tr.head is not None]
                if not live:
                    self.end_medias()
                    return
                tr = min(live, key=lambda x: x.head[0])
                key, sample = tr.head
                tr.head = None
                wait = self.start_time + key - clock.get_time()
                if wait > 0 and self.stopping.wait(wait / Gst.SECOND):
                    return
                self.dispatch(tr, sample)
        except Exception as e:  # keep the reason visible, then stop the server
            log("%s: pacing thread failed: %r" % (self.path, e))
            GLib.idle_add(quit_main, 1)

    # -- bridging into the RTSP medias --------------------------------------
    def end_medias(self):
        with self.lock:
            medias = list(self.medias)
        for m in medias:
            for src in (m["vsrc"], m["asrc"]):
                if src is not None:
                    src.end_of_stream()

    def dispatch(self, track, sample):
        with self.lock:
            medias = list(self.medias)
        if not medias:
            return
        buf = sample.get_buffer()
        pts = self.timeline(track, sample, buf.pts)
        dts = self.timeline(track, sample, buf.dts)
        for m in medias:
            self.push(m, track.kind, buf, pts, dts, sample.get_caps())

    def push(self, m, kind, buf, pts, dts, caps):
        src = m["vsrc"] if kind == "video" else m["asrc"]
        if src is None:
            return
        # The media pipeline gets its clock and base time when it goes to
        # PLAYING (live media are set to PLAYING while being prepared); until
        # then there is nowhere to put the data.
        pipe = m["pipeline"]
        if pipe.get_clock() is None or pipe.get_base_time() == 0:
            return
        # T -> running time of the media pipeline (both run on the system
        # clock). Computed each time in case the media's base time changes.
        off = self.start_time - pipe.get_base_time()
        out = buf.copy()  # shallow copy: shares the memory, new metadata
        out.pts = pts + off if pts is not None and pts + off >= 0 else Gst.CLOCK_TIME_NONE
        out.dts = dts + off if dts is not None and dts + off >= 0 else Gst.CLOCK_TIME_NONE
        if src.get_caps() is None or not src.get_caps().is_equal(caps):
            src.set_caps(caps)
        ret = src.push_buffer(out)
        if ret not in (Gst.FlowReturn.OK, Gst.FlowReturn.FLUSHING):
            log("%s: push to media returned %s" % (self.path, ret.value_nick))

    # -- RTSP factory ---------------------------------------------------------
    def make_factory(self):
        vparse, vpay = VIDEO_CODECS[self.video_caps_name]
        # max-bytes bounds the appsrc queue if a media stalls; leaky-type
        # drops the oldest data rather than blocking the pacing thread.
        src_props = "is-live=true format=time do-timestamp=false block=false max-bytes=20000000 leaky-type=downstream"
        launch = "( appsrc name=vsrc %s ! %s config-interval=-1 ! %s name=pay0 pt=96 config-interval=-1 " % (
            src_props,
            vparse,
            vpay,
        )
        if self.has_audio:
            launch += "appsrc name=asrc %s ! aacparse ! rtpmp4gpay name=pay1 pt=97 " % src_props
        launch += ")"
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(True)
        factory.set_clock(Gst.SystemClock.obtain())
        factory.connect("media-configure", self.on_media_configure)
        return factory

    def on_media_configure(self, factory, media):
        elem = media.get_element()
        pipe = elem
        while pipe.get_parent() is not None:
            pipe = pipe.get_parent()
        m = {
            "media": media,
            "pipeline": pipe,
            "vsrc": elem.get_by_name("vsrc"),
            "asrc": elem.get_by_name("asrc") if self.has_audio else None,
        }
        with self.lock:
            self.medias.append(m)
            n = len(self.medias)
        log("%s: media created (%d active)" % (self.path, n))
        media.connect("unprepared", self.on_media_unprepared, m)

    def on_media_unprepared(self, media, m):
        with self.lock:
            if m in self.medias:
                self.medias.remove(m)
        log("%s: media released" % self.path)


MAIN_LOOP = None
EXIT_CODE = 0


def quit_main(code):
    global EXIT_CODE
    if code and not EXIT_CODE:
        EXIT_CODE = code
    if MAIN_LOOP is not None:
        MAIN_LOOP.quit()
    return GLib.SOURCE_REMOVE


def parse_args(argv):
    p = argparse.ArgumentParser(description="RTSP test camera (gst-rtsp-server): serves MP4 files live, looping.")
    p.add_argument("--port", type=int, required=True, help="TCP port to listen on (1-65535)")
    p.add_argument("--address", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument(
        "--mount",
        action="append",
        default=[],
        metavar="/PATH=FILE",
        help="serve FILE at rtsp://ADDRESS:PORT/PATH (repeatable)",
    )
    p.add_argument(
        "--launch",
        action="append",
        default=[],
        metavar="/PATH=LAUNCH-LINE",
        help="serve a gst-rtsp-server launch line, e.g. '/a=( audiotestsrc is-live=true ! mulawenc ! rtppcmupay name=pay0 )' (repeatable)",
    )
    p.add_argument("--auth", metavar="USER:PASS", help="require these HTTP Basic credentials on every mount")
    p.add_argument("--auth-digest", action="store_true", help="with --auth: ask for HTTP Digest instead of Basic")
    p.add_argument("--loop", dest="loop", action="store_true", default=True, help="loop forever (default)")
    p.add_argument("--no-loop", dest="loop", action="store_false", help="play each file once, then end the stream")
    p.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="exit when stdin reaches end of file (e.g. the parent process died)",
    )
    a = p.parse_args(argv)
    if not (1 <= a.port <= 65535):
        p.error("--port must be between 1 and 65535")
    if not a.mount and not a.launch:
        p.error("at least one --mount or --launch is required")
    if a.auth is not None and (":" not in a.auth or not a.auth.partition(":")[0]):
        p.error("--auth must look like USER:PASS, got %r" % a.auth)
    if a.auth_digest and a.auth is None:
        p.error("--auth-digest needs --auth USER:PASS")
    mounts = []
    seen = set()
    for spec in a.mount:
        path, sep, fn = spec.partition("=")
        if not sep or not path.startswith("/") or len(path) < 2 or not fn:
            p.error("--mount must look like /path=FILE, got %r" % spec)
        if path in seen:
            p.error("mount path %s given twice" % path)
        seen.add(path)
        mounts.append((path, fn))
    a.launches = []
    for spec in a.launch:
        path, sep, line = spec.partition("=")
        if not sep or not path.startswith("/") or len(path) < 2 or not line.strip():
            p.error("--launch must look like /path=LAUNCH-LINE, got %r" % spec)
        if path in seen:
            p.error("mount path %s given twice" % path)
        seen.add(path)
        a.launches.append((path, line))
    return a, mounts


def launch_factory(line):
    """A shared factory serving a gst-rtsp-server launch line as given (--launch)."""
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(line)
    factory.set_shared(True)
    return factory


def require_auth(server, factories, credentials, digest=False):
    """Every factory asks for HTTP Basic (or, with `digest`, Digest) credentials `USER:PASS` (--auth, --auth-digest):
    401 without them or with others."""
    user, _, password = credentials.partition(":")
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "camera-user")
    if digest:
        gi.require_version("GstRtsp", "1.0")
        from gi.repository import GstRtsp

        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.add_digest(user, password, token)
    else:
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    for factory in factories:
        perms = GstRtspServer.RTSPPermissions()
        perms.add_permission_for_role("camera-user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        perms.add_permission_for_role("camera-user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        factory.set_permissions(perms)


def main(argv):
    global MAIN_LOOP
    args, specs = parse_args(argv)
    Gst.init(None)

    mounts = [Mount(path, fn, args.loop) for path, fn in specs]
    for m in mounts:
        try:
            m.probe()
        except ValueError as e:
            log(str(e))
            return EXIT_USAGE
        log(
            "%s: %s (%s%s)"
            % (m.path, m.filename, m.video_caps_name, ", AAC audio" if m.has_audio else ", no audio")
        )

    MAIN_LOOP = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, quit_main, 0)
    if args.exit_on_stdin_eof:

        def on_stdin(fd, cond):
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                quit_main(0)
                log("stdin closed, exiting")
                return GLib.SOURCE_REMOVE
            return GLib.SOURCE_CONTINUE

        GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, sys.stdin.fileno(), GLib.IOCondition.IN | GLib.IOCondition.HUP, on_stdin)

    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    mpoints = server.get_mount_points()
    factories = []
    for m in mounts:
        factories.append(m.make_factory())
        mpoints.add_factory(m.path, factories[-1])
    for path, line in args.launches:
        factories.append(launch_factory(line))
        mpoints.add_factory(path, factories[-1])
        log("%s: launch line %s" % (path, line))
    if args.auth is not None:
        require_auth(server, factories, args.auth, args.auth_digest)

    try:
        for m in mounts:
            m.start_source()
    except RuntimeError as e:
        log(str(e))
        for m in mounts:
            m.stop_source()
        return 1

    # create_source() binds and listens now (GLib sets SO_REUSEADDR), so a
    # busy port is reported here rather than silently later.
    try:
        source = server.create_source(None)
    except GLib.Error as e:
        log("cannot listen on %s:%d: %s" % (args.address, args.port, e.message))
        for m in mounts:
            m.stop_source()
        return EXIT_BIND
    source.attach(None)

    host = args.address
    if ":" in host:
        host = "[%s]" % host
    port = server.get_bound_port()
    try:
        for m in mounts:
            sys.stdout.write("READY rtsp://%s:%d%s clip0=%d\n" % (host, port, m.path, round(m.clip0_epoch_ms)))
        for path, _ in args.launches:
            sys.stdout.write("READY rtsp://%s:%d%s clip0=%d\n" % (host, port, path, round(time.time() * 1000)))
        sys.stdout.flush()
    except (OSError, ValueError):
        pass  # nobody reads stdout any more; keep serving until told to stop

    try:
        MAIN_LOOP.run()
    finally:
        # Never hang on the way out: if tearing down takes more than 3 s,
        # exit anyway.
        killer = threading.Timer(3.0, lambda: os._exit(EXIT_CODE or 1))
        killer.daemon = True
        killer.start()
        source.destroy()
        for m in mounts:
            m.stop_source()
    log("stopped")
    return EXIT_CODE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
