/* reswhipserversrc: a WHIP ingest whose output keeps flowing, tried with
 * real publishers (reswhipsink and autorestoresink as gst-launch children,
 * killed -9 and restarted) and raw HTTP requests (bad ones included), all
 * on loopback. The output is watched frame by frame: its timestamps, and
 * whether a frame is the publisher's (videotestsrc white or red) or filler
 * (black). */
#include "element/server/serverhttp.h"
#include "fixtures/buspump.h"
#include "fixtures/chromiumpeer.h"
#include "fixtures/process.h"

#include <gst/app/app.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using namespace servertest;

namespace {

const char *kKey = "s3cret-key";

/* What came out of the video pad: every frame's PTS and its brightness
 * (mean Y of the middle row: white ~235, red ~81, black 16). */
struct Frames
{
  std::mutex lock;
  std::vector<std::pair<GstClockTime, int>> v;

  std::size_t size ()
  {
    std::lock_guard<std::mutex> g (lock);
    return v.size ();
  }
  /* Frames since index `from` whose brightness is in [lo, hi]. */
  int count (std::size_t from, int lo, int hi)
  {
    std::lock_guard<std::mutex> g (lock);
    int n = 0;
    for (std::size_t i = from; i < v.size (); i++)
      n += v[i].second >= lo && v[i].second <= hi;
    return n;
  }
  /* Index of the first PTS not after the one before, or -1. */
  long non_increasing ()
  {
    std::lock_guard<std::mutex> g (lock);
    for (std::size_t i = 1; i < v.size (); i++)
      if (v[i].first <= v[i - 1].first)
        return (long)i;
    return -1;
  }
  /* The longest PTS step (ms). */
  gint64 longest_step_ms ()
  {
    std::lock_guard<std::mutex> g (lock);
    GstClockTime m = 0;
    for (std::size_t i = 1; i < v.size (); i++)
      m = std::max (m, v[i].first - v[i - 1].first);
    return (gint64)(m / GST_MSECOND);
  }
};

GstFlowReturn
on_frame (GstAppSink *sink, gpointer data)
{
  auto *f = static_cast<Frames *> (data);
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstBuffer *b = gst_sample_get_buffer (s);
  GstMapInfo map;
  int y = -1;
  if (gst_buffer_map (b, &map, GST_MAP_READ)) {
    /* 160x120 I420: row 60 of the Y plane */
    guint64 sum = 0;
    for (int x = 0; x < 160; x++)
      sum += map.data[60 * 160 + x];
    y = (int)(sum / 160);
    gst_buffer_unmap (b, &map);
  }
  {
    std::lock_guard<std::mutex> g (f->lock);
    f->v.emplace_back (GST_BUFFER_PTS (b), y);
  }
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

const int kWhiteLo = 200, kRedLo = 60, kRedHi = 110, kBlackHi = 20;

class Ingest
{
public:
  explicit Ingest (const std::string &props = "")
  {
    std::string d = std::string ("reswhipserversrc name=s port=0 width=160 "
                                 "height=120 hold=500 silence-timeout=1500 "
                                 "stream-key=")
                    + kKey + " " + props
                    + " s.video ! appsink name=v sync=false s.audio ! "
                      "fakesink sync=false";
    GError *err = nullptr;
    pipeline = gst_parse_launch (d.c_str (), &err);
    EXPECT_TRUE (pipeline) << (err ? err->message : "");
    g_clear_error (&err);
    src = gst_bin_get_by_name (GST_BIN (pipeline), "s");
    GstElement *v = gst_bin_get_by_name (GST_BIN (pipeline), "v");
    GstAppSinkCallbacks cb = {};
    cb.new_sample = on_frame;
    gst_app_sink_set_callbacks (GST_APP_SINK (v), &cb, &frames, nullptr);
    gst_object_unref (v);
    bus = std::make_unique<fixtures::BusPump> (pipeline);
    EXPECT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING),
               GST_STATE_CHANGE_FAILURE);
    g_object_get (src, "bound-port", &port, NULL);
  }
  ~Ingest ()
  {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    bus.reset ();
    gst_object_unref (src);
    gst_object_unref (pipeline);
  }
  std::string uri (const std::string &scheme = "whip") const
  {
    return scheme + "://127.0.0.1:" + std::to_string (port) + "/whip";
  }
  guint64 stat (const char *field) const
  {
    GstStructure *s = nullptr;
    g_object_get (src, "statistics", &s, NULL);
    guint64 v = 0;
    gst_structure_get_uint64 (s, field, &v);
    gst_structure_free (s);
    return v;
  }
  std::string stat_string (const char *field) const
  {
    GstStructure *s = nullptr;
    g_object_get (src, "statistics", &s, NULL);
    std::string v = gst_structure_get_string (s, field)
                        ? gst_structure_get_string (s, field)
                        : "";
    gst_structure_free (s);
    return v;
  }
  std::string stats_text () const
  {
    GstStructure *s = nullptr;
    g_object_get (src, "statistics", &s, NULL);
    gchar *t = gst_structure_to_string (s);
    std::string out = t;
    g_free (t);
    gst_structure_free (s);
    return out;
  }
  /* The `n`th (from 0) element message named reswhipserversrc-`what`,
   * waiting up to `t`. */
  const GstStructure *message (const std::string &what, int n,
                               std::chrono::milliseconds t)
  {
    std::string name = "reswhipserversrc-" + what;
    int seen = 0;
    GstMessage *m = bus->wait (
        [&] (GstMessage *msg) {
          return GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
                 && gst_message_has_name (msg, name.c_str ()) && seen++ == n;
        },
        t);
    return m ? gst_message_get_structure (m) : nullptr;
  }
  int count (const std::string &what)
  {
    bus->pump (20ms);
    return bus->count ([&] (GstMessage *m) {
      return GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT
             && gst_message_has_name (m, ("reswhipserversrc-" + what).c_str ());
    });
  }
  GstElement *pipeline = nullptr;
  GstElement *src = nullptr;
  int port = -1;
  Frames frames;
  std::unique_ptr<fixtures::BusPump> bus;
};

/* A reswhipsink publisher (gst-launch child): videotestsrc `pattern`. */
fixtures::ChildProcess
publisher (const Ingest &in, const std::string &pattern,
           const std::string &key = kKey)
{
  return fixtures::ChildProcess (
      { "gst-launch-1.0", "-q", "videotestsrc", "is-live=true",
        "pattern=" + pattern, "!",
        "video/x-raw,width=320,height=240,framerate=30/1", "!", "reswhipsink",
        "name=p", "uri=" + in.uri (), "token=" + key, "audiotestsrc",
        "is-live=true", "!", "p." });
}

std::string
session_of (const GstStructure *s, const char *field = "session-id")
{
  const char *v = s ? gst_structure_get_string (s, field) : nullptr;
  return v ? v : "";
}

const char *kOffer
    = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
      "a=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n"
      "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
      "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\na=setup:actpass\r\n";

std::string
bearer (const std::string &key)
{
  return "Authorization: Bearer " + key + "\r\n";
}

} // namespace

/* Before any publisher the output is already flowing (black), then the
 * right key publishes white frames; a wrong key gets 401 and nothing
 * else happens; the key is in no message and no statistics. */
TEST (ResWhipServerSrc, RightKeyPublishesWrongKeyIs401)
{
  Ingest in;
  ASSERT_GT (in.port, 0);
  ASSERT_TRUE (wait_for ([&] { return in.frames.size () >= 10; }, 5s));
  EXPECT_EQ (in.frames.count (0, 0, kBlackHi), (int)in.frames.count (0, 0, 255))
      << "before a publisher every frame is black filler";

  HttpAnswer a = raw_http (in.port, request ("POST", "/whip", "application/sdp",
                                             kOffer, bearer ("wrong")));
  EXPECT_EQ (a.status, 401);
  EXPECT_EQ (a.header ("Content-Type"), "application/problem+json");
  EXPECT_EQ (a.header ("WWW-Authenticate"), "Bearer");
  a = raw_http (in.port, request ("POST", "/whip", "application/sdp", kOffer));
  EXPECT_EQ (a.status, 401);
  {
    auto wrong = publisher (in, "white", "not-the-key");
    int st = wrong.wait_exit (10s);
    EXPECT_TRUE (WIFEXITED (st) && WEXITSTATUS (st) != 0)
        << "reswhipsink fails on 401: " << st;
  }
  EXPECT_EQ (in.stat ("publishers-total"), 0u);
  EXPECT_EQ (in.count ("publisher-connected"), 0);

  auto pub = publisher (in, "white");
  const GstStructure *c = in.message ("publisher-connected", 0, 15s);
  ASSERT_TRUE (c) << "no publisher-connected";
  EXPECT_EQ (std::string (gst_structure_get_string (c, "remote-address"))
                 .rfind ("127.0.0.1:", 0),
             0u);
  std::size_t mark = in.frames.size ();
  ASSERT_TRUE (wait_for (
      [&] { return in.frames.count (mark, kWhiteLo, 255) >= 30; }, 10s))
      << "the publisher's white frames reach the output";
  EXPECT_GE (in.stat ("live-frames"), 30u);
  EXPECT_EQ (in.stat_string ("output-mode"), "live") << in.stats_text ();
  EXPECT_EQ (in.frames.non_increasing (), -1);
  /* the key is never shown */
  GstStructure *st = nullptr;
  g_object_get (in.src, "statistics", &st, NULL);
  gchar *text = gst_structure_to_string (st);
  EXPECT_EQ (std::string (text).find (kKey), std::string::npos);
  g_free (text);
  gst_structure_free (st);
  in.bus->pump (20ms);
  for (GstMessage *m : in.bus->seen)
    if (const GstStructure *s = gst_message_get_structure (m)) {
      gchar *t = gst_structure_to_string (s);
      EXPECT_EQ (std::string (t).find (kKey), std::string::npos) << t;
      g_free (t);
    }
}

/* The publisher is killed -9: the output never stops (last frame held,
 * then black), publisher-lost comes after silence-timeout; a restarted
 * publisher takes over in the same output, timestamps increasing all
 * along. */
TEST (ResWhipServerSrc, KilledPublisherGivesFillerAndARestartTakesOver)
{
  Ingest in;
  ASSERT_GT (in.port, 0);
  auto pub = publisher (in, "white");
  ASSERT_TRUE (in.message ("publisher-connected", 0, 15s));
  ASSERT_TRUE (
      wait_for ([&] { return in.frames.count (0, kWhiteLo, 255) >= 30; }, 10s));
  pub.kill9 ();
  std::size_t killed_at = in.frames.size ();
  const GstStructure *lost = in.message ("publisher-lost", 0, 10s);
  ASSERT_TRUE (lost) << "no publisher-lost after the kill";
  EXPECT_NE (
      std::string (gst_structure_get_string (lost, "reason")).find ("no media"),
      std::string::npos);
  /* about 2 s since the kill: held white, then black, never a pause */
  ASSERT_TRUE (wait_for (
      [&] { return in.frames.count (killed_at, 0, kBlackHi) >= 20; }, 5s))
      << "black filler after the hold";
  EXPECT_GE (in.stat ("hold-frames"), 5u);
  EXPECT_EQ (in.stat_string ("output-mode"), "filler");
  EXPECT_LE (in.frames.longest_step_ms (), 34);

  auto again = publisher (in, "red");
  ASSERT_TRUE (in.message ("publisher-connected", 1, 15s))
      << "the restarted publisher connects";
  std::size_t mark = in.frames.size ();
  ASSERT_TRUE (wait_for (
      [&] { return in.frames.count (mark, kRedLo, kRedHi) >= 30; }, 10s))
      << "the restarted publisher's frames reach the same output";
  EXPECT_EQ (in.frames.non_increasing (), -1)
      << "timestamps increase across loss, filler and return";
  EXPECT_LE (in.frames.longest_step_ms (), 34);
  std::cerr << "frames " << in.frames.size () << ", longest step "
            << in.frames.longest_step_ms () << " ms\n";
}

/* 24/7: a publisher session leaves nothing behind. Publishers killed -9
 * in turn (the first may leave what is made once on that path); after the
 * second one is lost, no more fds or threads than before it came. */
TEST (ResWhipServerSrc, LostPublisherLeavesNothingBehind)
{
  Ingest in;
  int fds0 = 0, threads0 = 0;
  std::string fds_before;
  for (int round = 0; round < 2; round++) {
    wait_for ([] { return false; }, 500ms);
    if (round == 1) {
      fds0 = fixtures::open_fds ();
      threads0 = threads_now ();
      fds_before = fd_list ();
    }
    auto pub = publisher (in, "white");
    ASSERT_TRUE (in.message ("publisher-connected", round, 15s));
    std::size_t mark = in.frames.size ();
    ASSERT_TRUE (wait_for (
        [&] { return in.frames.count (mark, kWhiteLo, 255) >= 10; }, 10s));
    pub.kill9 ();
    ASSERT_TRUE (in.message ("publisher-lost", round, 10s));
  }
  expect_nothing_left (fds0, threads0, fds_before);
}

/* A second publisher with the same key replaces the first once its media
 * flows (make before break); with takeover=refuse it gets 409. */
TEST (ResWhipServerSrc, SecondPublisherReplacesTheFirst)
{
  Ingest in;
  auto first = publisher (in, "white");
  const GstStructure *c = in.message ("publisher-connected", 0, 15s);
  ASSERT_TRUE (c);
  std::string first_id = session_of (c);
  ASSERT_TRUE (
      wait_for ([&] { return in.frames.count (0, kWhiteLo, 255) >= 10; }, 10s));
  auto second = publisher (in, "red");
  const GstStructure *r = in.message ("publisher-replaced", 0, 15s);
  ASSERT_TRUE (r) << "no publisher-replaced";
  EXPECT_EQ (session_of (r, "previous-session-id"), first_id);
  EXPECT_NE (session_of (r), first_id);
  std::size_t mark = in.frames.size ();
  ASSERT_TRUE (wait_for (
      [&] { return in.frames.count (mark, kRedLo, kRedHi) >= 30; }, 10s));
  /* after the handover: no filler between the two publishers */
  EXPECT_EQ (in.frames.count (mark, 0, kBlackHi), 0);
  EXPECT_EQ (in.stat ("replaced"), 1u);
  EXPECT_EQ (in.frames.non_increasing (), -1);

  Ingest refusing ("takeover=refuse");
  auto one = publisher (refusing, "white");
  ASSERT_TRUE (refusing.message ("publisher-connected", 0, 15s));
  HttpAnswer a
      = raw_http (refusing.port, request ("POST", "/whip", "application/sdp",
                                          kOffer, bearer (kKey)));
  EXPECT_EQ (a.status, 409);
  EXPECT_EQ (a.header ("Content-Type"), "application/problem+json");
  EXPECT_EQ (refusing.stat ("publishers-total"), 1u);
}

/* autorestoresink publishing over WHIP with the key in the location. */
TEST (ResWhipServerSrc, AutorestoresinkPublishes)
{
  Ingest in;
  fixtures::ChildProcess pub (
      { "gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=white",
        "!", "video/x-raw,width=320,height=240,framerate=30/1", "!",
        "ars.video", "audiotestsrc", "is-live=true", "!", "ars.audio",
        "autorestoresink", "name=ars",
        "location=whip://" + std::string (kKey)
            + "@127.0.0.1:" + std::to_string (in.port) + "/whip" });
  ASSERT_TRUE (in.message ("publisher-connected", 0, 20s));
  std::size_t mark = in.frames.size ();
  EXPECT_TRUE (wait_for (
      [&] { return in.frames.count (mark, kWhiteLo, 255) >= 30; }, 10s));
}

/* 200 bad requests: each gets its status, nothing crashes, and the fds
 * and threads come back to where they were after the first round. */
TEST (ResWhipServerSrc, BadRequestsLeaveNothingBehind)
{
  Ingest in;
  struct Bad
  {
    std::string req;
    int status;
  };
  std::string huge (200000, 'v');
  std::vector<Bad> bad = {
    { request ("POST", "/whip", "application/sdp", "garbage", bearer (kKey)),
      400 },
    { request ("POST", "/whip", "application/sdp", "", bearer (kKey)), 400 },
    { request ("POST", "/whip", "text/plain", kOffer, bearer (kKey)), 415 },
    { request ("POST", "/whip", "application/json", "{}", bearer (kKey)), 415 },
    { request ("POST", "/whip", "application/sdp", huge, bearer (kKey)), 413 },
    { request ("POST", "/nope", "application/sdp", kOffer, bearer (kKey)),
      404 },
    { request ("POST", "/whip/../etc", "application/sdp", kOffer,
               bearer (kKey)),
      404 },
    { request ("PATCH", "/whip/abc123", "application/trickle-ice-sdpfrag",
               "a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n",
               bearer (kKey) + "If-Match: \"x\"\r\n"),
      404 },
    { request ("DELETE", "/whip/abc123", "", "", bearer (kKey)), 404 },
    { request ("GET", "/whip", "", "", bearer (kKey)), 405 },
    { request ("POST", "/whip", "application/sdp", kOffer, bearer ("bad")),
      401 },
  };
  int round_fds = -1, round_threads = -1, n = 0;
  for (int round = 0; n < 200; round++) {
    for (auto &b : bad) {
      HttpAnswer a = raw_http (in.port, b.req);
      EXPECT_EQ (a.status, b.status) << b.req.substr (0, 60);
      if (b.status != 404 && b.status != 400) {
        EXPECT_EQ (a.header ("Content-Type"), "application/problem+json")
            << b.req.substr (0, 60);
      }
      n++;
    }
    if (round == 0) {
      wait_for ([] { return false; }, 300ms);
      round_fds = fixtures::open_fds ();
      round_threads = threads_now ();
    }
  }
  HttpAnswer o = raw_http (in.port, request ("OPTIONS", "/whip", "", ""));
  EXPECT_EQ (o.status, 204);
  EXPECT_EQ (o.header ("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ (o.header ("Accept-Post"), "application/sdp");
  EXPECT_TRUE (wait_for (
      [&] {
        return fixtures::open_fds () <= round_fds
               && threads_now () <= round_threads;
      },
      3s))
      << "fds " << fixtures::open_fds () << " vs " << round_fds << ", threads "
      << threads_now () << " vs " << round_threads << ": " << fd_list ();
  EXPECT_GE (in.stat ("requests-refused"), 180u);
  EXPECT_EQ (in.stat ("publishers-total"), 0u);
  /* still serving: a real publisher gets in */
  auto pub = publisher (in, "white");
  EXPECT_TRUE (in.message ("publisher-connected", 0, 15s));
}

/* Frames of the video of a recorded clip (H264 in Matroska), decoded to
 * the end; -1 when it does not play. */
int
decoded_frames (const std::string &path)
{
  GstElement *p = gst_parse_launch (
      ("filesrc location=" + path
       + " ! matroskademux ! h264parse ! openh264dec ! fakesink name=f")
          .c_str (),
      nullptr);
  GstElement *f = gst_bin_get_by_name (GST_BIN (p), "f");
  GstPad *pad = gst_element_get_static_pad (f, "sink");
  std::atomic<int> n{ 0 };
  gst_pad_add_probe (
      pad, GST_PAD_PROBE_TYPE_BUFFER,
      [] (GstPad *, GstPadProbeInfo *, gpointer d) {
        (*static_cast<std::atomic<int> *> (d))++;
        return GST_PAD_PROBE_OK;
      },
      &n, nullptr);
  gst_object_unref (pad);
  gst_object_unref (f);
  fixtures::BusPump bus (p);
  gst_element_set_state (p, GST_STATE_PLAYING);
  GstMessage *m = bus.wait (
      [] (GstMessage *m) {
        return GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS
               || GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR;
      },
      20s);
  bool eos = m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS;
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  return eos ? n.load () : -1;
}

/* recording-location: the clip being written is closed when the
 * publisher is lost (clip-closed with path, duration, size) and plays; the
 * recording goes on into the next clip. */
TEST (ResWhipServerSrc, RecordingClosesTheClipWhenThePublisherIsLost)
{
  fixtures::TempDir dir;
  Ingest in ("recording-location=" + dir.file ("clip-%05d.mkv"));
  auto pub = publisher (in, "white");
  ASSERT_TRUE (in.message ("publisher-connected", 0, 15s));
  ASSERT_TRUE (
      wait_for ([&] { return in.frames.count (0, kWhiteLo, 255) >= 60; }, 10s))
      << in.frames.size () << " frames, " << in.stats_text ();
  pub.kill9 ();
  ASSERT_TRUE (in.message ("publisher-lost", 0, 10s));
  const GstStructure *c = in.message ("clip-closed", 0, 10s);
  ASSERT_TRUE (c) << "no clip-closed after the publisher was lost";
  std::string loc = gst_structure_get_string (c, "location");
  EXPECT_EQ (loc, dir.file ("clip-00000.mkv"));
  gint64 size = 0, duration = 0;
  gst_structure_get_int64 (c, "size-bytes", &size);
  gst_structure_get_int64 (c, "duration-ms", &duration);
  EXPECT_GT (size, 10000);
  EXPECT_GT (duration, 2000);
  EXPECT_TRUE (g_file_test (loc.c_str (), G_FILE_TEST_EXISTS));
  int frames = decoded_frames (loc);
  EXPECT_GE (frames, 60) << "the closed clip plays to its end";
  std::cerr << "clip 0: " << size << " bytes, " << duration << " ms, " << frames
            << " frames\n";
  EXPECT_EQ (in.count ("recording-failed"), 0);
}

/* An unwritable recording location is a WARNING and a message; the
 * output goes on. */
TEST (ResWhipServerSrc, RecordingFailureLeavesTheStreamAlone)
{
  Ingest in ("recording-location=/nonexistent/dir/clip-%05d.mkv");
  ASSERT_GT (in.port, 0);
  EXPECT_TRUE (in.message ("recording-failed", 0, 5s));
  std::size_t mark = in.frames.size ();
  EXPECT_TRUE (wait_for ([&] { return in.frames.size () >= mark + 30; }, 5s));
  auto pub = publisher (in, "white");
  EXPECT_TRUE (in.message ("publisher-connected", 0, 15s));
}

/* A browser engine we did not write publishes over WHIP: chromium's own
 * sendonly offer of its fake camera and microphone, POSTed cross-origin
 * (CORS preflight) with the stream key; its frames come out. A wrong key
 * gets nothing. DELETE on stop ends the session (publisher-lost DELETE). */
static void
browser_publishes (fixtures::Browser browser)
{
  Ingest in;
  fixtures::ChromiumPeer peer (browser);
  ASSERT_TRUE (peer.peer_ready ());
  ASSERT_TRUE (peer.start_chromium ());
  int bad = peer.publish (in.uri ("http"), "wrong-key");
  ASSERT_GT (bad, 0);
  int id = peer.publish (in.uri ("http"), kKey);
  ASSERT_GT (id, 0);
  ASSERT_TRUE (in.message ("publisher-connected", 0, 60s))
      << "the browser never connected: " << in.stats_text ();
  std::size_t mark = in.frames.size ();
  EXPECT_TRUE (wait_for ([&] { return in.stat ("live-frames") >= 30; }, 20s))
      << in.stats_text ();
  EXPECT_TRUE (wait_for (
      [&] { return in.frames.count (mark, kBlackHi + 10, 255) >= 30; }, 20s))
      << "the browser's camera frames (not black) reach the output";
  EXPECT_EQ (in.stat ("publishers-total"), 1u) << "the wrong key made none";
  EXPECT_GE (in.stat ("requests-refused"), 1u) << "the wrong key's 401";
  EXPECT_NE (peer.offer (id).find ("a=sendonly"), std::string::npos);
  peer.stop_play (id);
  const GstStructure *lost = in.message ("publisher-lost", 0, 10s);
  ASSERT_TRUE (lost);
  EXPECT_STREQ (gst_structure_get_string (lost, "reason"), "DELETE");
}

TEST (ResWhipServerSrc, ChromiumPublishesOverWhip)
{
  if (!fixtures::ChromiumPeer::installed ())
    GTEST_SKIP () << "chromium is not installed (scripts/debian-packages.txt)";
  browser_publishes (fixtures::Browser::Chromium);
}

/* Another WebRTC stack publishing: firefox-esr's fake camera (VP8 without
 * the OpenH264 plugin) with the stream key; the wrong key gets 401. */
TEST (ResWhipServerSrc, FirefoxPublishesOverWhip)
{
  if (!fixtures::ChromiumPeer::installed (fixtures::Browser::Firefox))
    GTEST_SKIP ()
        << "firefox-esr is not installed (scripts/debian-packages.txt)";
  browser_publishes (fixtures::Browser::Firefox);
}

/* https from certificate-file + key-file (the test pair of
 * tests/element/server): OPTIONS over TLS, a wrong key 401 over TLS; plain
 * http on that port gets no WHIP answer. */
TEST (ResWhipServerSrc, ServesHttpsFromCertificateFiles)
{
  std::string tls = test_certificate_props ();
  ASSERT_FALSE (tls.empty ()) << "RESILIENT_SOURCE_ROOT is not set";
  Ingest in (tls);
  ASSERT_GT (in.port, 0);
  std::string r = https_request (in.port, request ("OPTIONS", "/whip", "", ""));
  EXPECT_EQ (r.rfind ("HTTP/1.1 204", 0), 0u) << r;
  EXPECT_NE (r.find ("Accept-Post: application/sdp"), std::string::npos);
  r = https_request (in.port, request ("POST", "/whip", "application/sdp",
                                       kOffer, bearer ("wrong")));
  EXPECT_EQ (r.rfind ("HTTP/1.1 401", 0), 0u) << r;
  EXPECT_NE (raw_http (in.port, request ("OPTIONS", "/whip", "", "")).status,
             204);
}

TEST (ResWhipServerSrc, MissingStreamKeyIsAClearError)
{
  g_unsetenv ("RESILIENT_STREAM_KEY");
  expect_start_error ("reswhipserversrc port=0 name=s s.video ! fakesink "
                      "s.audio ! fakesink",
                      "no stream key");
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
