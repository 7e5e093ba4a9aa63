/* failoversrc mode=encoded against nginx-rtmp (real server, real
 * publishers, kill -9): the output is the candidates' H.264 and AAC, cut
 * at keyframes, decoded and muxed downstream by stock elements the way a
 * user's gst-launch line would (`failoversrc mode=encoded ... ! h264parse
 * ! flvmux`). */
#include "failover_common.h"

#include "fixtures/process.h"

#include <gst/app/app.h>
#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

using namespace failover_test;

namespace {

/* One buffer on a failoversrc output pad. */
struct Unit
{
  Clock::time_point wall;
  GstClockTime pts, dts, duration;
  bool discont, delta;
};

/* Every buffer on one of the element's pads, in order. */
struct PadLog
{
  std::mutex lock;
  std::vector<Unit> units;
  std::vector<std::string> caps;

  static GstPadProbeReturn probe (GstPad *, GstPadProbeInfo *info, gpointer ud)
  {
    auto *self = static_cast<PadLog *> (ud);
    std::lock_guard<std::mutex> g (self->lock);
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
      GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER (info);
      self->units.push_back ({ Clock::now (), GST_BUFFER_PTS (b),
          GST_BUFFER_DTS (b), GST_BUFFER_DURATION (b),
          GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_DISCONT),
          GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_DELTA_UNIT) });
    } else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_CAPS) {
      GstCaps *c;
      gst_event_parse_caps (GST_PAD_PROBE_INFO_EVENT (info), &c);
      gchar *s = gst_caps_to_string (c);
      self->caps.push_back (s);
      g_free (s);
    }
    return GST_PAD_PROBE_OK;
  }
  std::vector<Unit> snapshot ()
  {
    std::lock_guard<std::mutex> g (lock);
    return units;
  }
};

/* The user's line, with a viewer's decoder and an FLV muxer behind it. */
std::string
user_pipeline (const std::string &uris, bool audio)
{
  std::ostringstream p;
  p << "failoversrc name=src mode=encoded standby=hot uris=\"" << uris << "\""
    << " timeout=1000 retry-delay=200 retry-max-delay=1000"
    << " failback-holdoff=1500 "
    << "src.video ! queue ! tee name=vt "
    << "vt. ! queue ! h264parse ! avdec_h264 ! videoconvert ! videoscale ! "
    << kWatchCaps << " ! appsink name=vsink sync=false "
    << "vt. ! queue ! h264parse ! flvmux name=mux streamable=true "
    << "! appsink name=fsink sync=false ";
  if (audio)
    p << "src.audio ! queue ! tee name=at at. ! queue ! aacparse ! mux. "
      << "at. ! queue ! aacparse ! avdec_aac ! audioconvert ! "
         "appsink name=asink sync=false ";
  return p.str ();
}

struct EncodedRig;
std::string interleave (EncodedRig &rig);

struct EncodedRig
{
  GstElement *pipeline = nullptr;
  GstElement *src = nullptr;
  OutputWatcher video, audio;
  std::unique_ptr<BusRecorder> bus;
  PadLog vlog, alog;
  std::atomic<int> flv_buffers { 0 };

  explicit EncodedRig (const std::string &desc)
  {
    GError *err = nullptr;
    pipeline = gst_parse_launch (desc.c_str (), &err);
    EXPECT_TRUE (pipeline && !err) << (err ? err->message : "") << desc;
    g_clear_error (&err);
    if (!pipeline)
      return;
    src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
    attach ("vsink", video);
    attach ("asink", audio);
    GstElement *f = gst_bin_get_by_name (GST_BIN (pipeline), "fsink");
    g_object_set (f, "emit-signals", TRUE, nullptr);
    g_signal_connect (f, "new-sample", G_CALLBACK (+[] (GstElement *s,
        gpointer ud) -> GstFlowReturn {
          GstSample *smp = gst_app_sink_pull_sample (GST_APP_SINK (s));
          if (smp)
            gst_sample_unref (smp);
          static_cast<EncodedRig *> (ud)->flv_buffers++;
          return GST_FLOW_OK;
        }), this);
    gst_object_unref (f);
    for (auto [name, log] : { std::pair { "video", &vlog }, { "audio", &alog } }) {
      GstPad *pad = gst_element_get_static_pad (src, name);
      gst_pad_add_probe (pad, (GstPadProbeType) (GST_PAD_PROBE_TYPE_BUFFER
          | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM), PadLog::probe, log, nullptr);
      gst_object_unref (pad);
    }
    bus = std::make_unique<BusRecorder> (pipeline);
  }
  void attach (const char *name, OutputWatcher &w)
  {
    GstElement *s = gst_bin_get_by_name (GST_BIN (pipeline), name);
    if (s) {
      w.attach_appsink (s);
      gst_object_unref (s);
    }
  }
  ~EncodedRig ()
  {
    if (!pipeline)
      return;
    gst_element_set_state (pipeline, GST_STATE_NULL);
    bus.reset ();
    gst_object_unref (src);
    gst_object_unref (pipeline);
  }
  std::string describe ()
  {
    return "\nvideo: " + video.describe (3) + "\nbus: " + bus->describe ();
  }
  /* Plays and waits until `look` is on the viewer (5 frames). */
  ::testing::AssertionResult play_until (const std::string &look)
  {
    if (!pipeline || gst_element_set_state (pipeline, GST_STATE_PLAYING)
        == GST_STATE_CHANGE_FAILURE)
      return ::testing::AssertionFailure () << "PLAYING failed";
    if (!video.wait_for_class (look, kFirstFrame, 5))
      return ::testing::AssertionFailure () << look << " never decoded"
                                            << describe ();
    return ::testing::AssertionSuccess ();
  }
};

/* Both pads' units in push order, "V|A <dts ms>@<ms since the first>"
 * (debugging a muxer's complaint): the 80 from half a second before
 * `around` (the complaint's time), or the first 80. */
std::string
interleave (EncodedRig &rig,
    Clock::time_point around = Clock::time_point::min ())
{
  auto v = rig.vlog.snapshot (), a = rig.alog.snapshot ();
  std::vector<std::pair<Clock::time_point, std::string>> all;
  for (auto &u : v)
    all.push_back ({ u.wall, "V " + std::to_string (u.dts / 1000000) });
  for (auto &u : a)
    all.push_back ({ u.wall, "A " + std::to_string (u.dts / 1000000) });
  std::sort (all.begin (), all.end ());
  size_t from = 0;
  if (around != Clock::time_point::min ())
    while (from < all.size () && all[from].first < around - 500ms)
      from++;
  std::string out;
  for (size_t i = from; i < all.size () && i < from + 80; i++)
    out += " " + all[i].second + "@" + std::to_string (
        std::chrono::duration_cast<ms> (all[i].first - all[0].first).count ());
  return out;
}

/* Decode times strictly increasing; presentation times too (the
 * publishers send no B-frames). */
::testing::AssertionResult
monotonic (const std::vector<Unit> &units)
{
  for (size_t i = 1; i < units.size (); i++) {
    if (units[i].dts <= units[i - 1].dts || units[i].pts <= units[i - 1].pts)
      return ::testing::AssertionFailure () << "unit " << i << " of "
          << units.size () << " goes back: dts " << units[i - 1].dts << " -> "
          << units[i].dts << ", pts " << units[i - 1].pts << " -> "
          << units[i].pts;
  }
  return ::testing::AssertionSuccess ();
}

/* WARNING-level log lines of the downstream elements' categories (a muxer
 * fixing up backwards timestamps, a decoder concealing a missing
 * reference): what a user's log would show, not only the bus. */
struct DownstreamLog
{
  static inline std::mutex lock;
  static inline std::vector<std::pair<Clock::time_point, std::string>> lines;
  static constexpr const char *kCats[] = { "flvmux", "libav", "videodecoder",
    "audiodecoder", "aggregator", "h264parse", "aacparse", "baseparse" };

  static void
  fn (GstDebugCategory *cat, GstDebugLevel level, const gchar *, const gchar *,
      gint, GObject *, GstDebugMessage *msg, gpointer)
  {
    if (level > GST_LEVEL_WARNING)
      return;
    const char *name = gst_debug_category_get_name (cat);
    for (const char *c : kCats)
      if (g_str_equal (name, c)) {
        std::lock_guard<std::mutex> g (lock);
        lines.push_back ({ Clock::now (), std::string (name) + ": "
            + gst_debug_message_get (msg) });
      }
  }
  DownstreamLog ()
  {
    for (const char *c : kCats)
      gst_debug_set_threshold_for_name (c, GST_LEVEL_WARNING);
    gst_debug_add_log_function (fn, nullptr, nullptr);
    std::lock_guard<std::mutex> g (lock);
    lines.clear ();
  }
  ~DownstreamLog () { gst_debug_remove_log_function (fn); }
  std::string describe ()
  {
    std::lock_guard<std::mutex> g (lock);
    std::string out;
    for (size_t i = 0; i < lines.size () && i < 10; i++)
      out += "\n  " + lines[i].second;
    return out;
  }
  /* flvmux's "Got backwards dts! (A < B)": how far back, in ms. */
  static std::optional<double> backwards_ms (const std::string &line)
  {
    unsigned h1, m1, h2, m2;
    double s1, s2;
    if (sscanf (line.c_str (), "flvmux: Got backwards dts! (%u:%u:%lf < %u:%u:%lf)",
            &h1, &m1, &s1, &h2, &m2, &s2) != 6)
      return std::nullopt;
    return ((h2 * 3600.0 + m2 * 60 + s2) - (h1 * 3600.0 + m1 * 60 + s1)) * 1000;
  }
  /* Lines logged at or after `since`; flvmux's backwards-dts fix-ups of
   * at most `jitter_ms` (a muxer interleaving two live pads pushed by two
   * threads) are not counted, a larger step back is. */
  size_t count (Clock::time_point since = Clock::time_point::min (),
      double jitter_ms = 0)
  {
    std::lock_guard<std::mutex> g (lock);
    size_t n = 0;
    for (auto &l : lines) {
      auto back = backwards_ms (l.second);
      n += l.first >= since && !(back && *back <= jitter_ms);
    }
    return n;
  }
  /* When the first line `count` counts was logged (for interleave). */
  Clock::time_point first_counted (Clock::time_point since, double jitter_ms)
  {
    std::lock_guard<std::mutex> g (lock);
    for (auto &l : lines) {
      auto back = backwards_ms (l.second);
      if (l.first >= since && !(back && *back <= jitter_ms))
        return l.first;
    }
    return Clock::time_point::min ();
  }
};

/* A Matroska file of `frames` 320x240 30 fps H.265 pictures of `pattern`
 * (a keyframe a second), with Opus (48 kHz stereo) for as long when
 * `opus`; true when gst-launch wrote it. */
bool
write_h265_file (const std::string &path, const std::string &pattern,
    int frames, bool opus)
{
  std::vector<std::string> argv { "gst-launch-1.0", "-q", "videotestsrc",
      "num-buffers=" + std::to_string (frames), "pattern=" + pattern, "!",
      "video/x-raw,width=320,height=240,framerate=30/1", "!", "x265enc",
      "speed-preset=ultrafast", "key-int-max=30", "!", "h265parse", "!",
      "queue", "!", "matroskamux", "name=m", "!", "filesink",
      "location=" + path };
  if (opus) {
    /* 1024-sample buffers at 48 kHz for the pictures' duration. */
    const int buffers = frames * 48000 / 30 / 1024 + 1;
    argv.insert (argv.end (), { "audiotestsrc",
        "num-buffers=" + std::to_string (buffers), "samplesperbuffer=1024",
        "!", "audio/x-raw,rate=48000,channels=2", "!", "opusenc", "!",
        "opusparse", "!", "queue", "!", "m." });
  }
  ChildProcess enc (argv);
  return enc.wait_exit (60000ms) == 0;
}

/* Every decoded frame's PTS after the one before it. */
template <typename Frames>
void
expect_pts_increasing (const Frames &frames)
{
  for (size_t i = 1; i < frames.size (); i++)
    EXPECT_GT (frames[i].pts, frames[i - 1].pts)
        << "frame " << i << " of " << frames.size () << " ("
        << frames[i - 1].cls << " -> " << frames[i].cls << ")";
}

/* flvmux's backwards-dts fix-ups tolerated (see DownstreamLog::count).
 * flvmux stamps the codec-data tags it writes at a caps change with each
 * pad's previous unit's start and clamps them forward to the last tag it
 * wrote (no media unit moves). At a cut back from filler the closing slate
 * leaves one audio frame (21 ms at 48 kHz AAC) between them. */
constexpr double kMuxJitterMs = 25;
/* At a cut away from a candidate (killed, to a backup or into filler) the
 * tags are stamped with its two streams' last units, which start up to a
 * video frame (33 ms at 30 fps) plus an audio frame apart: 6-36 ms seen
 * in 12 runs here, 31 ms in CI. Which units are the last depends on when
 * the two streams' threads ran before the cut, so a loaded machine adds
 * up to about one more such pair: 56 and 68 ms in CI runs beside a fuzzer
 * (BackupAtAnotherResolutionIsCutInWithNewCaps, session 11;
 * FillerCutsKeepTheMuxersStreamsInOrder, session 10). The defects these
 * tests guard against went back by a slate interval (200 ms) or up to a
 * GOP, well above two pairs (109 ms). */
constexpr double kCutAwayJitterMs
    = 2 * (1000.0 / 30 + 1024 * 1000.0 / 48000);

/* Warnings or errors from anything but failoversrc (a decoder, a muxer). */
size_t
downstream_complaints (BusRecorder &bus)
{
  size_t n = 0;
  for (auto &e : bus.entries ())
    if ((e.name == "error" || e.name == "warning")
        && e.src.find ("src") != 0)
      n++;
  return n;
}

/* One nginx and a red publisher `a` on it. */
struct OnePublisher
{
  NginxRtmp server;
  Publisher a {looks::red (), server.rtmp_url ("a")};
  OnePublisher () { server.wait_for_publish ("a", 10s); }
};

/* The video pad's times only forward, and nothing downstream complained
 * (bus, or the decoders' and muxer's log categories since `since`). */
void
expect_clean_video (EncodedRig &rig, DownstreamLog &log,
    Clock::time_point since)
{
  EXPECT_TRUE (monotonic (rig.vlog.snapshot ()));
  EXPECT_EQ (downstream_complaints (*rig.bus), 0u) << rig.describe ();
  EXPECT_EQ (log.count (since, kCutAwayJitterMs), 0u) << log.describe ();
}

} // namespace

TEST (FailoverEncoded, Kill9CutsAtTheBackupsKeyframeDecodableAndMuxable)
{
  TwoPublishers pubs;
  DownstreamLog log;
  EncodedRig rig (user_pipeline (pubs.uris (), true));
  ASSERT_TRUE (rig.play_until ("red"));
  std::this_thread::sleep_for (1500ms); /* the backup's GOP is kept */
  const auto killed = Clock::now ();
  pubs.a.kill9 ();
  ASSERT_TRUE (rig.video.wait_for_class ("blue", kSwitch, 30, killed))
      << rig.describe ();
  auto sw = rig.bus->wait_for ("failoversrc-switch", 3000ms,
      [&] (const BusRecorder::Entry &e) {
        return e.wall >= killed && e.get_int ("to-index") == 1;
      });
  ASSERT_TRUE (sw) << rig.describe ();
  const int flv_at_switch = rig.flv_buffers.load ();
  std::this_thread::sleep_for (2000ms);

  /* The viewer saw red, then blue, every decoded frame one of them (a cut
   * on a delta frame decodes to grey smear, which matches neither). */
  EXPECT_EQ (rig.video.timeline (1),
      (std::vector<std::string> { "red", "blue" })) << rig.describe ();
  auto gap = rig.video.switch_gap_ms ("red", "blue", killed - 2s);
  ASSERT_TRUE (gap) << rig.describe ();
  EXPECT_LT (*gap, 2000.0) << rig.describe ();
  /* The cut: the first unit of the new source is a keyframe, marked
   * DISCONT; one output segment with times moving forward. */
  auto units = rig.vlog.snapshot ();
  size_t cut = 0;
  for (size_t i = 1; i < units.size (); i++)
    if (units[i].discont && units[i].wall >= killed)
      cut = i;
  ASSERT_GT (cut, 0u) << "no DISCONT after the kill";
  EXPECT_FALSE (units[cut].delta) << "the cut is not at a keyframe";
  EXPECT_TRUE (monotonic (units));
  EXPECT_TRUE (monotonic (rig.alog.snapshot ()));
  /* Decoded and muxed downstream without a complaint; the muxer goes on. */
  EXPECT_EQ (downstream_complaints (*rig.bus), 0u) << rig.describe ();
  /* From the kill on: nothing but flvmux (default latency 0) clamping a
   * tag at most the killed candidate's last frame behind what it already
   * wrote (kCutAwayJitterMs; the two pads are fed by two threads and
   * failoversrc pushes the cut interleaved). Before the interleaved,
   * respaced replay this was 150-600 ms. */
  EXPECT_EQ (log.count (killed, kCutAwayJitterMs), 0u) << log.describe ()
      << interleave (rig, log.first_counted (killed, kCutAwayJitterMs));
  EXPECT_EQ (rig.bus->count ("eos"), 0u);
  EXPECT_GT (rig.flv_buffers.load (), flv_at_switch + 30);
  EXPECT_GT (frames_after (rig.audio, killed + 1500ms), 20u);
  /* The backup stays on (its delayed units keep it healthy). */
  size_t switches = 0;
  for (auto &e : rig.bus->entries ("failoversrc-switch"))
    switches += e.wall >= killed;
  EXPECT_EQ (switches, 1u) << rig.describe ();
  EXPECT_EQ (rig.video.current (), "blue");
}

namespace {

/* Plays an FLV file back (as fast as it decodes) into `video`; false when
 * it does not reach EOS cleanly. */
bool
decode_flv (const std::string &path, OutputWatcher &video, std::string &err)
{
  std::string desc = "filesrc location=" + path
      + " ! flvdemux name=d d.video ! queue ! h264parse ! avdec_h264 ! "
        "videoconvert ! videoscale ! " + kWatchCaps
      + " ! appsink name=vsink sync=false";
  GError *e = nullptr;
  GstElement *p = gst_parse_launch (desc.c_str (), &e);
  if (!p || e) {
    err = e ? e->message : "parse failed";
    g_clear_error (&e);
    return false;
  }
  GstElement *s = gst_bin_get_by_name (GST_BIN (p), "vsink");
  video.attach_appsink (s);
  gst_object_unref (s);
  const bool ok = play_to_eos (p, 30000ms, &err);
  gst_object_unref (p);
  return ok;
}

/* A child's log for a failure message. */
std::string
child_log (const TempDir &dir)
{
  gchar *text = nullptr;
  g_file_get_contents (dir.file ("gst-launch.log").c_str (), &text, nullptr,
      nullptr);
  std::string out = text ? text : "";
  g_free (text);
  return out;
}

off_t
file_size (const std::string &path)
{
  struct stat st;
  return stat (path.c_str (), &st) == 0 ? st.st_size : 0;
}

/* Waits until the file at `path` has at least `size` bytes. */
bool
file_grows_to (const std::string &path, off_t size, ms timeout)
{
  auto until = Clock::now () + timeout;
  while (Clock::now () < until && file_size (path) < size)
    std::this_thread::sleep_for (50ms);
  return file_size (path) >= size;
}

/* The words of a user's gst-launch line: `gst-launch-1.0 [-m] failoversrc
 * name=f <options>` into `flvmux streamable=true ! filesink
 * location=<flv>`: both pads by name (audio through aacparse) or the video
 * pad linked by its template. */
std::vector<std::string>
flv_launch (const std::vector<std::string> &options, const std::string &flv,
    bool audio, bool messages = false)
{
  std::vector<std::string> argv { "gst-launch-1.0" };
  if (messages)
    argv.push_back ("-m");
  argv.push_back ("failoversrc");
  argv.push_back ("name=f");
  argv.insert (argv.end (), options.begin (), options.end ());
  if (audio) {
    for (const char *w : { "f.video", "!", "h264parse", "!", "queue", "!",
             "flvmux", "name=m", "streamable=true", "!", "filesink" })
      argv.push_back (w);
    argv.push_back ("location=" + flv);
    for (const char *w : { "f.audio", "!", "aacparse", "!", "queue", "!",
             "m." })
      argv.push_back (w);
  } else {
    for (const char *w : { "!", "h264parse", "!", "flvmux",
             "streamable=true", "!", "filesink" })
      argv.push_back (w);
    argv.push_back ("location=" + flv);
  }
  return argv;
}

/* The user's gst-launch line into an FLV file; the primary's publisher is
 * killed; the file then plays back red, then blue, every frame decoded. */
void
gst_launch_into_flv (bool audio)
{
  TwoPublishers pubs;
  TempDir dir;
  const std::string flv = dir.file ("out.flv");
  ChildProcess gst (flv_launch ({ "mode=encoded", "standby=hot",
      "timeout=1000", "uris=" + pubs.uris () }, flv, audio),
      dir.file ("gst-launch.log"));
  auto grown = [&] (off_t size, ms timeout) {
    return file_grows_to (flv, size, timeout);
  };
  ASSERT_TRUE (grown (150000, kFirstFrame)) << child_log (dir);
  pubs.a.kill9 ();
  const off_t at_kill = file_size (flv);
  std::this_thread::sleep_for (4000ms);
  EXPECT_TRUE (gst.running ()) << child_log (dir);
  /* The file goes on growing with the backup (the publishers' test
   * pattern needs ~30 kB/s). */
  EXPECT_GT (file_size (flv), at_kill + 60000);
  gst.terminate ();

  DownstreamLog log;
  OutputWatcher video;
  std::string err;
  EXPECT_TRUE (decode_flv (flv, video, err)) << err;
  EXPECT_EQ (video.timeline (1), (std::vector<std::string> { "red", "blue" }))
      << video.describe (1);
  auto frames = video.frames ();
  expect_pts_increasing (frames);
  EXPECT_GT (video.count (), 150u);
  EXPECT_EQ (log.count (), 0u) << log.describe ();
}

} // namespace

/* `failoversrc mode=encoded uris="A | B" ! h264parse ! flvmux ! filesink`
 * as typed: the video pad links by its template. */
TEST (FailoverEncoded, GstLaunchVideoOnlyIntoFlvSurvivesKill9)
{
  gst_launch_into_flv (false);
}

/* Both pads by name, audio through aacparse into the same flvmux. */
TEST (FailoverEncoded, GstLaunchAudioVideoIntoFlvSurvivesKill9)
{
  gst_launch_into_flv (true);
}

/* A backup at another resolution (same codec): the caps change travels
 * with the cut (a caps event before its keyframe, which carries its new
 * parameter sets), the viewer's decoder follows it, the muxer goes on. */
TEST (FailoverEncoded, BackupAtAnotherResolutionIsCutInWithNewCaps)
{
  NginxRtmp server;
  Publisher a (looks::red (), server.rtmp_url ("a"));
  Publisher::Options wide;
  wide.width = 640;
  wide.height = 360;
  Publisher b (looks::blue (), server.rtmp_url ("b"), wide);
  server.wait_for_publish ("a", 10s);
  server.wait_for_publish ("b", 10s);
  DownstreamLog log;
  EncodedRig rig (user_pipeline (
      server.rtmp_url ("a") + " | " + server.rtmp_url ("b"), true));
  ASSERT_TRUE (rig.play_until ("red"));
  std::this_thread::sleep_for (1500ms);
  const auto killed = Clock::now ();
  a.kill9 ();
  ASSERT_TRUE (rig.video.wait_for_class ("blue", kSwitch, 30, killed))
      << rig.describe ();
  EXPECT_EQ (rig.video.timeline (1),
      (std::vector<std::string> { "red", "blue" })) << rig.describe ();
  std::vector<std::string> caps;
  {
    std::lock_guard<std::mutex> g (rig.vlog.lock);
    caps = rig.vlog.caps;
  }
  ASSERT_GE (caps.size (), 2u);
  EXPECT_NE (caps.front ().find ("width=(int)320"), std::string::npos)
      << caps.front ();
  EXPECT_NE (caps.back ().find ("width=(int)640"), std::string::npos)
      << caps.back ();
  expect_clean_video (rig, log, killed);
}

/* A backup in another codec (H.265 against the output's H.264) is refused
 * with a WARNING naming both codecs, before any switch: a muxer cannot
 * change codec within a stream. The output stays on the primary. */
TEST (FailoverEncoded, BackupInAnotherCodecIsRefusedWithAWarning)
{
  OnePublisher pub;
  auto &server = pub.server;
  TempDir dir;
  const std::string mkv = dir.file ("blue-h265.mkv");
  ASSERT_TRUE (write_h265_file (mkv, "blue", 150, false));
  EncodedRig rig (user_pipeline (
      server.rtmp_url ("a") + " | file://" + mkv, false));
  ASSERT_TRUE (rig.play_until ("red"));
  auto refused = rig.bus->wait_for ("failoversrc-candidate-failed", 10000ms,
      [] (const BusRecorder::Entry &e) { return e.get_int ("index") == 1; });
  ASSERT_TRUE (refused) << rig.describe ();
  const std::string detail = refused->get_string ("detail");
  EXPECT_NE (detail.find ("h265"), std::string::npos) << detail;
  EXPECT_NE (detail.find ("h264"), std::string::npos) << detail;
  size_t warnings = 0;
  for (auto &e : rig.bus->entries ("warning"))
    warnings += e.text.find ("h265") != std::string::npos;
  EXPECT_GE (warnings, 1u) << rig.describe ();
  /* Still red, never switched, nothing broke downstream. */
  std::this_thread::sleep_for (1000ms);
  EXPECT_EQ (rig.video.timeline (1), (std::vector<std::string> { "red" }))
      << rig.describe ();
  EXPECT_EQ (rig.bus->count ("failoversrc-switch"), 1u);
  EXPECT_EQ (downstream_complaints (*rig.bus), 0u) << rig.describe ();
}

namespace {

/* failoversrc's options in the filler's gst-launch tests: the one
 * publisher's stream, failure after a second, quick retries. */
std::vector<std::string>
filler_options (NginxRtmp &server)
{
  return { "mode=encoded", "timeout=1000", "retry-delay=200",
    "retry-max-delay=1000", "uris=" + server.rtmp_url ("a") };
}

/* The filler's gst-launch scenario: the user's line (both pads into
 * flvmux ! filesink, `-m` when `messages`) with the one publisher; it is
 * killed (-9), `during` runs 4 s later (the outage's growth of the file in
 * `outage_bytes`, measured over its last 2.5 s), then the publisher comes
 * back: gst-launch runs on throughout and the file grows by 100 kB more. */
struct FlvOutage
{
  OnePublisher pub;
  TempDir dir;
  const std::string flv = dir.file ("out.flv");
  off_t outage_bytes = 0;

  void run (const std::vector<std::string> &env, bool messages,
      const std::function<void ()> &during)
  {
    ChildProcess gst (flv_launch (filler_options (pub.server), flv, true,
        messages), dir.file ("gst-launch.log"), env);
    ASSERT_TRUE (file_grows_to (flv, 100000, kFirstFrame)) << child_log (dir);
    pub.a.kill9 ();
    /* Detected (EOS from the server) and on filler well within this. */
    std::this_thread::sleep_for (1500ms);
    const off_t at = file_size (flv);
    std::this_thread::sleep_for (2500ms);
    EXPECT_TRUE (gst.running ()) << child_log (dir);
    outage_bytes = file_size (flv) - at;
    during ();
    pub.a.start ();
    EXPECT_TRUE (file_grows_to (flv, file_size (flv) + 100000, 30000ms))
        << child_log (dir);
    EXPECT_TRUE (gst.running ()) << child_log (dir);
    gst.terminate ();
  }
};

/* Output frames (of a watcher) with a wall time in [from, to). */
size_t
frames_between (const OutputWatcher &w, Clock::time_point from,
    Clock::time_point to)
{
  size_t n = 0;
  for (auto &f : w.frames ())
    n += f.wall >= from && f.wall < to;
  return n;
}

/* The first unit at or after `since` marked DISCONT, or none. */
std::optional<Unit>
first_discont (const std::vector<Unit> &units, Clock::time_point since)
{
  for (auto &u : units)
    if (u.discont && u.wall >= since)
      return u;
  return std::nullopt;
}

} // namespace

/* Every publisher killed (-9): nothing is healthy, and the encoded output
 * carries the filler, a black keyframe slate in H.264 and AAC silence,
 * which the viewer's h264parse ! avdec_h264 decodes as black and the
 * muxer goes on muxing; the primary's publisher comes back and the output
 * cuts back to it on a keyframe. Fails without the encoded filler: the
 * pads then carry nothing during the outage (no black, no audio). */
static void
filler_outage_then_cut_back (bool check_mux_order)
{
  TwoPublishers pubs;
  DownstreamLog log;
  EncodedRig rig (user_pipeline (pubs.uris (), true));
  ASSERT_TRUE (rig.play_until ("red"));
  /* The backup first (it fails off the output), then the primary. */
  pubs.b.kill9 ();
  std::this_thread::sleep_for (1500ms);
  const auto killed = Clock::now ();
  pubs.a.kill9 ();
  EXPECT_TRUE (rig.video.wait_for_class ("black", kSwitch, 3, killed))
      << rig.describe ();
  const auto black_at = Clock::now ();
  const int flv_at_black = rig.flv_buffers.load ();
  std::this_thread::sleep_for (3000ms);
  const auto restarted = Clock::now ();
  /* Three seconds of outage: slate pictures (5 a second) and silence
   * (AAC frames of 21 ms) kept coming, and the muxer kept muxing. */
  EXPECT_GE (frames_between (rig.video, black_at, restarted), 10u)
      << rig.describe ();
  EXPECT_GE (frames_between (rig.audio, black_at, restarted), 60u);
  EXPECT_GT (rig.flv_buffers.load (), flv_at_black + 20);
  EXPECT_EQ (rig.video.current (), "black");
  /* The filler cut: DISCONT on a keyframe. */
  auto fcut = first_discont (rig.vlog.snapshot (), killed);
  EXPECT_TRUE (fcut) << "no filler cut";
  EXPECT_TRUE (fcut && !fcut->delta)
      << "the filler does not start on a keyframe";

  pubs.a.restart ();
  ASSERT_TRUE (rig.video.wait_for_class ("red", 30000ms, 5, restarted))
      << rig.describe ();
  auto sw = rig.bus->wait_for ("failoversrc-switch", 3000ms,
      [&] (const BusRecorder::Entry &e) {
        return e.wall >= restarted && e.get_int ("to-index") == 0;
      });
  ASSERT_TRUE (sw) << rig.describe ();
  std::this_thread::sleep_for (1000ms);
  /* Back on the primary at a keyframe. */
  auto back = first_discont (rig.vlog.snapshot (), restarted);
  ASSERT_TRUE (back);
  EXPECT_FALSE (back->delta) << "the cut back is not at a keyframe";
  EXPECT_EQ (rig.video.timeline (1),
      (std::vector<std::string> { "red", "black", "red" })) << rig.describe ();
  EXPECT_EQ (rig.video.current (), "red");
  /* One segment, times only forward, nothing downstream complained. */
  EXPECT_TRUE (monotonic (rig.vlog.snapshot ()));
  EXPECT_TRUE (monotonic (rig.alog.snapshot ()));
  EXPECT_EQ (downstream_complaints (*rig.bus), 0u) << rig.describe ();
  if (check_mux_order) {
    EXPECT_EQ (log.count (killed, kMuxJitterMs), 0u) << log.describe ()
        << interleave (rig, log.first_counted (killed, kMuxJitterMs));
  }
  EXPECT_EQ (rig.bus->count ("failoversrc-filler-unavailable"), 0u);
  EXPECT_EQ (rig.bus->count ("eos"), 0u);
}

TEST (FailoverEncoded, FillerCarriesAnOutageOfEveryPublisherThenCutsBack)
{
  filler_outage_then_cut_back (false);
}

/* The same outage with flvmux's log watched: at both filler cuts the
 * muxer goes back by no more than the jitter of two live pads (flvmux
 * stamps the codec data of a caps change with each pad's previous unit:
 * a video pad quiet for a slate interval before the cut back, or a new
 * source's audio on air before its video's keyframe, made that 45-410 ms;
 * docs/elements/failoversrc.md, "Encoded mode", the cut). Before the
 * filler's closing slate and the common cut it failed in 3 of 20 runs
 * with a CPU burner on the test's core (29-41 ms), after it in none (at
 * most 21 ms). */
TEST (FailoverEncoded, FillerCutsKeepTheMuxersStreamsInOrder)
{
  filler_outage_then_cut_back (true);
}

/* The filler's closing slate (a picture one frame before the cut back, so
 * that the video pad is not quiet while the muxer writes audio alone) is
 * one frame of the output's framerate, read from the encoded caps: 40 ms
 * for a 25 fps publisher, and it ends at or before the candidate's
 * keyframe (which waits for its own time after a restart). Guards the
 * one reading of the output's frame duration (frame_duration: the raw
 * video info, else the encoded caps), which gave 33 ms in encoded mode
 * before it read the caps. */
TEST (FailoverEncoded, TheClosingSlateIsOneFrameOfTheOutputsFramerate)
{
  NginxRtmp server;
  Publisher::Options pal;
  pal.fps = 25;
  Publisher a (looks::red (), server.rtmp_url ("a"), pal);
  server.wait_for_publish ("a", 10s);
  EncodedRig rig (user_pipeline (server.rtmp_url ("a"), true));
  ASSERT_TRUE (rig.play_until ("red"));
  const auto killed = Clock::now ();
  a.kill9 ();
  ASSERT_TRUE (rig.video.wait_for_class ("black", kSwitch, 3, killed))
      << rig.describe ();
  std::this_thread::sleep_for (1000ms);
  const auto restarted = Clock::now ();
  a.restart ();
  ASSERT_TRUE (rig.video.wait_for_class ("red", 30000ms, 5, restarted))
      << rig.describe ();
  auto units = rig.vlog.snapshot ();
  size_t cut = 0;
  for (size_t i = 1; i < units.size () && !cut; i++)
    if (units[i].discont && units[i].wall >= restarted)
      cut = i;
  ASSERT_GT (cut, 0u) << "no cut back";
  const Unit &before = units[cut - 1];
  const GstClockTime frame = GST_SECOND / 25;
  ASSERT_TRUE (GST_CLOCK_TIME_IS_VALID (before.dts)
               && GST_CLOCK_TIME_IS_VALID (units[cut].dts));
  /* A regular slate (200 ms) already within a frame of the switch needs
   * no closing one (one run in five); then there is nothing to measure. */
  if (before.duration != 200 * GST_MSECOND)
    EXPECT_EQ (before.duration, frame)
        << "the unit before the cut, " << GST_TIME_AS_MSECONDS (
               units[cut].dts - before.dts) << " ms before it";
  EXPECT_LE (before.dts + std::min (before.duration, frame), units[cut].dts);
}

/* The line a user types, `failoversrc mode=encoded uris=... ` with both
 * pads into flvmux and a file: the only publisher is killed (-9) and comes
 * back after a while. gst-launch keeps running, the file keeps growing
 * through the outage (the slate and the silence are muxed), and it plays
 * back red, black, red with every frame decoded, times only forward and no
 * warning from the demuxer, parser or decoder. Without the encoded filler
 * the file stops growing during the outage and shows no black. */
TEST (FailoverEncoded, GstLaunchIntoFlvKeepsAPlayableFileThroughAnOutage)
{
  FlvOutage o;
  /* The slate (a few hundred bytes a picture, 5 a second) and AAC silence
   * (about 47 frames a second) in 2.5 s. */
  o.run ({}, false, [&] { EXPECT_GT (o.outage_bytes, 2000); });
  const std::string flv = o.flv;

  DownstreamLog log;
  OutputWatcher video;
  std::string err;
  EXPECT_TRUE (decode_flv (flv, video, err)) << err;
  EXPECT_EQ (video.timeline (1),
      (std::vector<std::string> { "red", "black", "red" }))
      << video.describe (1);
  auto frames = video.frames ();
  expect_pts_increasing (frames);
  size_t black = 0;
  for (auto &f : frames)
    black += f.cls == "black";
  EXPECT_GE (black, 10u);
  EXPECT_EQ (log.count (), 0u) << log.describe ();
}

/* fallback-image is the encoded slate: a green picture, encoded in the
 * output's codec at its size, decoded green by the viewer while nothing is
 * healthy. */
TEST (FailoverEncoded, FallbackImageIsTheSlate)
{
  OnePublisher pub;
  auto &server = pub.server;
  auto &a = pub.a;
  TempDir dir;
  const std::string png = dir.file ("green.png");
  {
    ChildProcess enc ({ "gst-launch-1.0", "-q", "videotestsrc",
        "num-buffers=1", "pattern=green", "!",
        "video/x-raw,width=64,height=48", "!", "videoconvert", "!", "pngenc",
        "!", "filesink", "location=" + png });
    ASSERT_EQ (enc.wait_exit (30000ms), 0);
  }
  std::string desc = user_pipeline (server.rtmp_url ("a"), true);
  desc.replace (desc.find ("mode=encoded"), 12,
      "mode=encoded fallback-image=" + png);
  DownstreamLog log;
  EncodedRig rig (desc);
  ASSERT_TRUE (rig.play_until ("red"));
  const auto killed = Clock::now ();
  a.kill9 ();
  ASSERT_TRUE (rig.video.wait_for_class ("green", kSwitch, 5, killed))
      << rig.describe ();
  std::this_thread::sleep_for (1000ms);
  EXPECT_EQ (rig.video.timeline (1),
      (std::vector<std::string> { "red", "green" })) << rig.describe ();
  expect_clean_video (rig, log, killed);
}

/* No encoder for the output's codec (H.264 encoders ranked out of reach
 * with GST_PLUGIN_FEATURE_RANK, as on a box without x264): a WARNING and
 * failoversrc-filler-unavailable naming h264; the live output is not taken
 * down: gst-launch goes on, the audio filler (AAC silence) keeps the file
 * growing, and the primary's return is muxed as before. */
TEST (FailoverEncoded, NoEncoderForTheSlateWarnsAndKeepsTheOutput)
{
  FlvOutage o;
  o.run ({ "GST_PLUGIN_FEATURE_RANK=x264enc:NONE,openh264enc:NONE" }, true,
      [&] {
        EXPECT_GT (o.outage_bytes, 1000);
        const std::string out = child_log (o.dir);
        EXPECT_NE (out.find ("No h264 filler"), std::string::npos) << out;
        EXPECT_NE (out.find ("failoversrc-filler-unavailable"),
            std::string::npos);
        EXPECT_EQ (out.find ("No aac filler"), std::string::npos) << out;
      });
}

/* H.265 and Opus outputs get a slate in their own codecs (the encoder is
 * found by the output's caps, the parser from the codec table): a red
 * H.265 + Opus file ends (EOS, its retry ten minutes away), and the
 * viewer's h265parse ! avdec_h265 decodes black, opusdec silence, the
 * MPEG-TS muxer goes on (it follows the caps event at the filler cut;
 * matroskamux refuses any caps change, see the element doc). */
TEST (FailoverEncoded, H265AndOpusOutputsGetSlatesInTheirCodecs)
{
  TempDir dir;
  const std::string mkv = dir.file ("red-h265-opus.mkv");
  ASSERT_TRUE (write_h265_file (mkv, "red", 90, true));
  std::ostringstream p;
  p << "failoversrc name=src mode=encoded timeout=1000 retry-delay=600000"
    << " retry-max-delay=600000 uris=file://" << mkv << " "
    << "src.video ! queue ! tee name=vt "
    << "vt. ! queue ! h265parse ! avdec_h265 ! videoconvert ! videoscale ! "
    << kWatchCaps << " ! appsink name=vsink sync=false "
    << "vt. ! queue ! h265parse ! mpegtsmux name=mux "
    << "! appsink name=fsink sync=false "
    << "src.audio ! queue ! tee name=at at. ! queue ! opusparse ! mux. "
    << "at. ! queue ! opusparse ! opusdec ! audioconvert ! "
       "appsink name=asink sync=false ";
  DownstreamLog log;
  EncodedRig rig (p.str ());
  ASSERT_TRUE (rig.play_until ("red"));
  ASSERT_TRUE (rig.video.wait_for_class ("black", 10000ms, 3))
      << rig.describe ();
  const auto black_at = Clock::now ();
  const int mkv_at_black = rig.flv_buffers.load ();
  std::this_thread::sleep_for (2000ms);
  EXPECT_GE (frames_between (rig.video, black_at, Clock::now ()), 7u);
  EXPECT_GE (frames_between (rig.audio, black_at, Clock::now ()), 40u);
  EXPECT_GT (rig.flv_buffers.load (), mkv_at_black + 10);
  EXPECT_EQ (rig.video.timeline (1),
      (std::vector<std::string> { "red", "black" })) << rig.describe ();
  EXPECT_TRUE (monotonic (rig.vlog.snapshot ()));
  EXPECT_TRUE (monotonic (rig.alog.snapshot ()));
  EXPECT_EQ (downstream_complaints (*rig.bus), 0u) << rig.describe ();
  EXPECT_EQ (log.count (black_at), 0u) << log.describe ();
  EXPECT_EQ (rig.bus->count ("failoversrc-filler-unavailable"), 0u);
}
