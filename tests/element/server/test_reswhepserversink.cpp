/* reswhepserversink: a WHEP server for many viewers from one encode, tried
 * with reswhepsrc viewers (in process and as a gst-launch child killed -9)
 * and raw HTTP requests (bad ones included), all on loopback. */
#include "fixtures/buspump.h"
#include "fixtures/elements.h"
#include "fixtures/chromiumpeer.h"
#include "fixtures/process.h"
#include "element/server/serverhttp.h"

#include <gio/gio.h>
#include <gst/app/app.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using namespace servertest;

namespace {

const char *kOffer
    = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
      "a=recvonly\r\na=rtcp-mux\r\na=rtpmap:96 H264/90000\r\n"
      "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n"
      "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
      "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\na=setup:actpass\r\n";

/* The server: live test sources into reswhepserversink on a free port. */
class Server
{
public:
  /* `video_encoder` / `audio_encoder`: an encoder upstream of the sink
   * ("x264enc ! "), for encoded input. */
  explicit Server (const std::string &props, bool audio = true,
                   const std::string &video_encoder = "",
                   const std::string &audio_encoder = "")
  {
    std::string d = "videotestsrc is-live=true pattern=ball ! "
                    "video/x-raw,width=320,height=240,framerate=30/1 ! "
                    + video_encoder + "reswhepserversink name=s port=0 "
                    + props;
    if (audio)
      d += " audiotestsrc is-live=true ! " + audio_encoder + "s.";
    GError *err = nullptr;
    pipeline = gst_parse_launch (d.c_str (), &err);
    EXPECT_TRUE (pipeline) << (err ? err->message : "");
    g_clear_error (&err);
    sink = gst_bin_get_by_name (GST_BIN (pipeline), "s");
    bus = std::make_unique<fixtures::BusPump> (pipeline);
    EXPECT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING),
               GST_STATE_CHANGE_FAILURE);
    g_object_get (sink, "bound-port", &port, NULL);
  }
  ~Server ()
  {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    bus.reset ();
    gst_object_unref (sink);
    gst_object_unref (pipeline);
  }
  std::string url () const
  {
    return "http://127.0.0.1:" + std::to_string (port) + "/whep";
  }
  GstStructure *stats () const
  {
    GstStructure *s = nullptr;
    g_object_get (sink, "statistics", &s, NULL);
    return s;
  }
  guint viewers () const
  {
    GstStructure *s = stats ();
    guint n = 0;
    gst_structure_get_uint (s, "viewers", &n);
    gst_structure_free (s);
    return n;
  }
  /* Element messages named `name` seen so far (pumps the bus briefly). */
  std::vector<GstStructure *> messages (const std::string &name)
  {
    bus->pump (50ms);
    std::vector<GstStructure *> out;
    for (auto *m : bus->seen)
      if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT
          && gst_message_has_name (m, name.c_str ()))
        out.push_back ((GstStructure *)gst_message_get_structure (m));
    return out;
  }
  GstElement *pipeline = nullptr;
  GstElement *sink = nullptr;
  std::unique_ptr<fixtures::BusPump> bus;
  int port = -1;
};

/* A reswhepsrc viewer in this process; counts decoded video frames. */
class Viewer
{
public:
  Viewer (const std::string &endpoint, const std::string &token = "")
  {
    pipeline = gst_pipeline_new (nullptr);
    src = gst_element_factory_make ("reswhepsrc", nullptr);
    g_object_set (src, "endpoint", endpoint.c_str (), "latency", 50u,
                  "error-on-failure", FALSE, NULL);
    if (!token.empty ())
      g_object_set (src, "token", token.c_str (), NULL);
    gst_bin_add (GST_BIN (pipeline), src);
    g_signal_connect (src, "pad-added", G_CALLBACK (on_pad), this);
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
  }
  ~Viewer ()
  {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
  static void on_pad (GstElement *, GstPad *pad, gpointer data)
  {
    auto *v = static_cast<Viewer *> (data);
    GstElement *sink = gst_element_factory_make ("fakesink", nullptr);
    g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (v->pipeline), sink);
    gst_element_sync_state_with_parent (sink);
    GstPad *sp = gst_element_get_static_pad (sink, "sink");
    bool video = g_str_has_prefix (GST_PAD_NAME (pad), "video");
    gst_pad_add_probe (
        sp, GST_PAD_PROBE_TYPE_BUFFER,
        [] (GstPad *, GstPadProbeInfo *, gpointer c) {
          static_cast<std::atomic<int> *> (c)->fetch_add (1);
          return GST_PAD_PROBE_OK;
        },
        video ? &v->video : &v->audio, nullptr);
    gst_pad_link (pad, sp);
    gst_object_unref (sp);
  }
  GstElement *pipeline = nullptr;
  GstElement *src = nullptr;
  std::atomic<int> video{ 0 };
  std::atomic<int> audio{ 0 };
};

} // namespace

TEST (ResWhepServerSink, TwoReswhepsrcViewersGetFramesFromOneEncode)
{
  Server server ("");
  ASSERT_GT (server.port, 0);
  {
    Viewer a (server.url ()), b (server.url ());
    ASSERT_TRUE (wait_for (
        [&] {
          return a.video >= 30 && b.video >= 30 && a.audio >= 10
                 && b.audio >= 10;
        },
        20s))
        << "viewer a: " << a.video << " video, " << a.audio
        << " audio; viewer b: " << b.video << " video, " << b.audio;
    EXPECT_EQ (server.viewers (), 2u);
    GstStructure *s = server.stats ();
    const GValue *list = gst_structure_get_value (s, "viewer-list");
    ASSERT_TRUE (list);
    EXPECT_EQ (gst_value_array_get_size (list), 2u);
    const GstStructure *v0
        = gst_value_get_structure (gst_value_array_get_value (list, 0));
    EXPECT_STREQ (gst_structure_get_string (v0, "state"), "connected");
    EXPECT_TRUE (g_str_has_prefix (
        gst_structure_get_string (v0, "remote-address"), "127.0.0.1:"));
    guint64 keyframes = 0;
    gst_structure_get_uint64 (s, "keyframe-requests", &keyframes);
    EXPECT_GE (keyframes, 1u);
    gst_structure_free (s);
    /* one encoder for both viewers */
    EXPECT_EQ (fixtures::count_elements (server.sink, "x264enc"), 1);
    EXPECT_EQ (server.messages ("reswhepserversink-viewer-joined").size (), 2u);
  }
  /* the viewers stopped: each sent DELETE */
  ASSERT_TRUE (wait_for ([&] { return server.viewers () == 0; }, 5s));
  auto left = server.messages ("reswhepserversink-viewer-left");
  ASSERT_EQ (left.size (), 2u);
  EXPECT_STREQ (gst_structure_get_string (left[0], "reason"), "DELETE");
}

/* A viewer's entry in the statistics' viewer-list (a copy), or nullptr. */
static GstStructure *
viewer_entry (const Server &server, guint i)
{
  GstStructure *s = server.stats ();
  const GValue *list = gst_structure_get_value (s, "viewer-list");
  GstStructure *v = nullptr;
  if (list && gst_value_array_get_size (list) > i)
    v = gst_structure_copy (
        gst_value_get_structure (gst_value_array_get_value (list, i)));
  gst_structure_free (s);
  return v;
}

static guint64
entry_u64 (const GstStructure *v, const char *field)
{
  guint64 n = 0;
  gst_structure_get_uint64 (v, field, &n);
  return n;
}

/* Whether viewer `i` of the list is sent to on the direct path. */
static bool
on_direct_path (const Server &server, guint i)
{
  GstStructure *v = viewer_entry (server, i);
  bool direct = v
                && g_strcmp0 (gst_structure_get_string (v, "send-path"),
                              "direct") == 0
                && entry_u64 (v, "direct-packets") > 0;
  if (v)
    gst_structure_free (v);
  return direct;
}

/* What the viewer's RTP session knows of the server's video stream (the
 * 90 kHz source): its last sender report's counts (0 before one) and what
 * the viewer received. */
struct VideoReport
{
  guint packets = 0, octets = 0; /* the last sender report's */
  guint64 received_packets = 0, received_octets = 0;
};

static VideoReport
video_report (GstElement *viewer_pipeline, std::string *all = nullptr)
{
  GstElement *rtpbin = nullptr;
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (viewer_pipeline));
  GValue item = G_VALUE_INIT;
  while (!rtpbin && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = GST_ELEMENT (g_value_get_object (&item));
    GstElementFactory *f = gst_element_get_factory (e);
    if (f && g_str_equal (GST_OBJECT_NAME (f), "rtpbin"))
      rtpbin = GST_ELEMENT (gst_object_ref (e));
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  if (!rtpbin)
    return {};
  GObject *session = nullptr;
  g_signal_emit_by_name (rtpbin, "get-internal-session", 0u, &session);
  gst_object_unref (rtpbin);
  if (!session)
    return {};
  GstStructure *stats = nullptr;
  g_object_get (session, "stats", &stats, NULL);
  g_object_unref (session);
  VideoReport r;
  /* RTPSession's source-stats is a GValueArray */
  const GValue *v = gst_structure_get_value (stats, "source-stats");
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  auto *sources = v ? static_cast<GValueArray *> (g_value_get_boxed (v))
                    : nullptr;
  for (guint i = 0; sources && i < sources->n_values; i++) {
    const GstStructure *src = gst_value_get_structure (
        g_value_array_get_nth (sources, i));
  G_GNUC_END_IGNORE_DEPRECATIONS
    gint rate = 0;
    gboolean have_sr = FALSE, internal = TRUE;
    gst_structure_get_int (src, "clock-rate", &rate);
    gst_structure_get_boolean (src, "have-sr", &have_sr);
    gst_structure_get_boolean (src, "internal", &internal);
    if (rate == 90000 && have_sr && !internal) {
      gst_structure_get_uint (src, "sr-packet-count", &r.packets);
      gst_structure_get_uint (src, "sr-octet-count", &r.octets);
      gst_structure_get_uint64 (src, "packets-received", &r.received_packets);
      gst_structure_get_uint64 (src, "octets-received", &r.received_octets);
    }
    if (all) {
      gchar *text = gst_structure_to_string (src);
      *all += std::string (text) + "\n";
      g_free (text);
    }
  }
  gst_structure_free (stats);
  return r;
}

/* Once connected, a viewer's packets leave on the direct path (SRTP and
 * the ICE send on the encode's thread, not its webrtcbin's RTP path):
 * the viewers keep decoding what it sends, and the sender reports they
 * get count those packets. Before: every packet went through each
 * viewer's webrtcbin. */
TEST (ResWhepServerSink, ConnectedViewersAreSentToDirectlyAndKeepDecoding)
{
  Server server ("");
  ASSERT_GT (server.port, 0);
  Viewer a (server.url ()), b (server.url ());
  ASSERT_TRUE (wait_for (
      [&] { return on_direct_path (server, 0) && on_direct_path (server, 1); },
      20s));
  int va = a.video, vb = b.video, aa = a.audio;
  /* two more seconds: 60 frames at 30 fps, 100 Opus packets */
  ASSERT_TRUE (wait_for (
      [&] { return a.video >= va + 45 && b.video >= vb + 45 && a.audio >= aa + 60; },
      10s))
      << "after the switch: viewer a " << a.video - va << " frames, b "
      << b.video - vb << ", a's audio " << a.audio - aa;
  for (guint i = 0; i < 2; i++) {
    GstStructure *v = viewer_entry (server, i);
    ASSERT_TRUE (v);
    EXPECT_EQ (entry_u64 (v, "direct-dropped"), 0u);
    gst_structure_free (v);
  }
  /* webrtcbin's own count stops at the switch: sender reports counting on
   * are the direct path's (RTCP every 2-6 s: RFC 3550's 5 s minimum, randomized) */
  guint first = 0;
  ASSERT_TRUE (wait_for (
      [&] { return (first = video_report (a.pipeline).packets) > 0; }, 10s))
      << "no sender report for the video; the viewer's sources:\n"
      << [&] {
           std::string all;
           video_report (a.pipeline, &all);
           return all;
         }();
  ASSERT_TRUE (wait_for (
      [&] { return video_report (a.pipeline).packets > first + 60; }, 15s))
      << "the sender reports' video packet count stays at "
      << video_report (a.pipeline).packets << " (first seen: " << first
      << ")";
  /* its octets are the payload sent, the joining packets webrtcbin sent
   * included and their SRTP tags not: what the viewer received, less at
   * most a full packet for each one received since the report */
  VideoReport r = video_report (a.pipeline);
  ASSERT_GE (r.received_packets, r.packets);
  ASSERT_LE (r.octets, r.received_octets);
  EXPECT_LE (r.received_octets - r.octets,
             (r.received_packets - r.packets) * 1400)
      << r.octets << " octets in " << r.packets << " packets reported, "
      << r.received_octets << " in " << r.received_packets << " received";
}

/* direct-send=false keeps every packet on webrtcbin's path. */
TEST (ResWhepServerSink, DirectSendOffKeepsWebrtcbinsPath)
{
  Server server ("direct-send=false", false);
  ASSERT_GT (server.port, 0);
  Viewer a (server.url ());
  ASSERT_TRUE (wait_for ([&] { return a.video >= 60; }, 20s)) << a.video;
  GstStructure *v = viewer_entry (server, 0);
  ASSERT_TRUE (v);
  EXPECT_STREQ (gst_structure_get_string (v, "send-path"), "webrtcbin");
  EXPECT_EQ (entry_u64 (v, "direct-packets"), 0u);
  gst_structure_free (v);
}

/* The viewer's jitter buffers start on the first consecutive packets
 * (faststart), so its first frame does not wait the whole `latency`
 * (bench/server/ttff.py measures the time). Before: faststart 0. */
TEST (ResWhepServerSink, ViewerJitterBuffersStartOnTheFirstPackets)
{
  Server server ("");
  ASSERT_GT (server.port, 0);
  Viewer v (server.url ());
  ASSERT_TRUE (wait_for ([&] { return v.video >= 5 && v.audio >= 5; }, 20s))
      << v.video << " video, " << v.audio << " audio";
  std::vector<guint> faststart;
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (v.pipeline));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = GST_ELEMENT (g_value_get_object (&item));
    GstElementFactory *f = gst_element_get_factory (e);
    if (f && g_str_equal (GST_OBJECT_NAME (f), "rtpjitterbuffer")) {
      guint n = 0;
      g_object_get (e, "faststart-min-packets", &n, NULL);
      faststart.push_back (n);
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  /* one per SSRC: video and audio */
  ASSERT_EQ (faststart.size (), 2u);
  for (guint n : faststart)
    EXPECT_EQ (n, 5u);
}

/* The keyframe is asked for when a viewer's offer is answered, not when
 * it is connected: it waits in the viewer's queue while DTLS comes up.
 * This offer never connects (its ICE credentials lead nowhere). Before:
 * no keyframe request until a viewer connected. */
TEST (ResWhepServerSink, KeyframeIsAskedForWhenAViewerJoins)
{
  Server server ("", false);
  ASSERT_GT (server.port, 0);
  auto keyframes = [&] {
    GstStructure *s = server.stats ();
    guint64 n = 0;
    gst_structure_get_uint64 (s, "keyframe-requests", &n);
    gst_structure_free (s);
    return n;
  };
  EXPECT_EQ (keyframes (), 0u);
  auto a = raw_http (server.port,
                     request ("POST", "/whep", "application/sdp", kOffer));
  ASSERT_EQ (a.status, 201) << a.body;
  EXPECT_EQ (keyframes (), 1u);
  EXPECT_EQ (server.viewers (), 1u);
}

TEST (ResWhepServerSink, WrongTokenIs401AndTheRightOnePlays)
{
  Server server ("token=s3cr3t-viewer", false);
  auto a = raw_http (server.port,
                     request ("POST", "/whep", "application/sdp", kOffer,
                              "Authorization: Bearer wrong\r\n"));
  EXPECT_EQ (a.status, 401);
  EXPECT_EQ (a.header ("Content-Type"), "application/problem+json");
  EXPECT_EQ (a.header ("WWW-Authenticate"), "Bearer");
  a = raw_http (server.port,
                request ("POST", "/whep", "application/sdp", kOffer));
  EXPECT_EQ (a.status, 401);
  {
    Viewer bad (server.url (), "nope");
    Viewer good (server.url (), "s3cr3t-viewer");
    ASSERT_TRUE (wait_for ([&] { return good.video >= 10; }, 20s));
    EXPECT_EQ (bad.video, 0);
    EXPECT_EQ (server.viewers (), 1u);
  }
  GstStructure *s = server.stats ();
  gchar *text = gst_structure_to_string (s);
  EXPECT_EQ (std::string (text).find ("s3cr3t"), std::string::npos);
  g_free (text);
  gst_structure_free (s);
  for (auto *m : server.bus->seen) {
    if (const GstStructure *st = gst_message_get_structure (m)) {
      gchar *t = gst_structure_to_string (st);
      EXPECT_EQ (std::string (t).find ("s3cr3t"), std::string::npos) << t;
      g_free (t);
    }
  }
}

TEST (ResWhepServerSink, ViewerLimitIs503WithRetryAfter)
{
  Server server ("max-viewers=1 retry-after=3000", false);
  Viewer first (server.url ());
  ASSERT_TRUE (wait_for ([&] { return first.video >= 5; }, 20s));
  auto a = raw_http (server.port,
                     request ("POST", "/whep", "application/sdp", kOffer));
  EXPECT_EQ (a.status, 503);
  EXPECT_EQ (a.header ("Retry-After"), "3");
  EXPECT_NE (a.body.find ("viewer limit"), std::string::npos) << a.body;
  EXPECT_EQ (server.viewers (), 1u);
}

TEST (ResWhepServerSink, BadRequestsGetTheirStatusAndLeaveNothingBehind)
{
  Server server ("", false);
  /* warm up: one real session, so lazily made threads exist */
  {
    Viewer v (server.url ());
    ASSERT_TRUE (wait_for ([&] { return v.video >= 5; }, 20s));
  }
  ASSERT_TRUE (wait_for ([&] { return server.viewers () == 0; }, 5s));

  struct Case
  {
    std::string raw;
    int status;
  };
  std::string huge (2 * 1024 * 1024, 'x');
  std::vector<Case> cases = {
    { request ("POST", "/whep", "application/sdp", "garbage"), 400 },
    { request ("POST", "/whep", "application/sdp", "v=0\r\nnot sdp"), 400 },
    { request ("POST", "/whep", "application/sdp", ""), 400 },
    { request ("POST", "/whep", "text/plain", kOffer), 415 },
    { request ("POST", "/whep", "", kOffer), 415 },
    { request ("POST", "/whep", "application/json", "{}"), 415 },
    { request ("POST", "/whep", "application/sdp", huge), 413 },
    { request ("POST", "/nope", "application/sdp", kOffer), 404 },
    { request ("POST", "/whep/../etc", "application/sdp", kOffer), 404 },
    { request ("GET", "/whep", "", ""), 405 },
    { request ("PUT", "/whep", "application/sdp", kOffer), 405 },
    { request ("PATCH", "/whep/0123abcd", "application/trickle-ice-sdpfrag",
               "a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n",
               "If-Match: \"x\"\r\n"),
      404 },
    { request ("DELETE", "/whep/0123abcd", "", ""), 404 },
    { request ("DELETE", "/whep/../../x", "", ""), 404 },
    /* an offer with media we do not send (audio only, no Opus) */
    { request ("POST", "/whep", "application/sdp",
               "v=0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"
               "a=mid:0\r\na=recvonly\r\na=rtpmap:0 PCMU/8000\r\n"),
      422 },
    /* a publisher's offer at a viewer endpoint */
    { request ("POST", "/whep", "application/sdp",
               "v=0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
               "a=mid:0\r\na=sendonly\r\na=rtpmap:96 H264/90000\r\n"
               "a=fmtp:96 packetization-mode=1\r\n"),
      422 },
    { "GARBAGE\r\n\r\n", 400 },
    { "POST /whep HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n"
      "Content-Length: -5\r\n\r\n",
      400 },
  };
  int total = 0;
  int fds0 = 0, threads0 = 0;
  for (int round = 0; round < 4; round++) {
    if (round == 1) {
      /* after one round, whatever libsoup or GLib make once exists:
       * three more rounds must not add anything */
      std::this_thread::sleep_for (500ms);
      fds0 = fixtures::open_fds ();
      threads0 = threads_now ();
    }
    for (auto &c : cases) {
      auto a = raw_http (server.port, c.raw);
      EXPECT_EQ (a.status, c.status) << c.raw.substr (0, 80);
      /* every refusal of ours is a problem; libsoup answers a request
       * line it cannot parse itself */
      if (c.raw.rfind ("GARB", 0) != 0) {
        EXPECT_EQ (a.header ("Content-Type"), "application/problem+json")
            << c.raw.substr (0, 60);
      }
      total++;
    }
  }
  EXPECT_GE (total, 50);
  /* OPTIONS: CORS for browsers */
  auto o = raw_http (server.port,
                     request ("OPTIONS", "/whep", "", "",
                              "Origin: https://example.org\r\n"
                              "Access-Control-Request-Method: POST\r\n"));
  EXPECT_EQ (o.status, 204);
  EXPECT_EQ (o.header ("Access-Control-Allow-Origin"), "*");
  EXPECT_NE (o.header ("Access-Control-Allow-Methods").find ("POST"),
             std::string::npos);
  EXPECT_NE (o.header ("Access-Control-Allow-Headers").find ("Authorization"),
             std::string::npos);
  EXPECT_EQ (o.header ("Accept-Post"), "application/sdp");
  /* still serving, nothing left behind */
  EXPECT_EQ (server.viewers (), 0u);
  EXPECT_TRUE (wait_for ([&] { return fixtures::open_fds () <= fds0; }, 3s))
      << fixtures::open_fds () << " fds open, " << fds0
      << " before: " << fd_list ();
  EXPECT_LE (threads_now (), threads0);
  Viewer after (server.url ());
  EXPECT_TRUE (wait_for ([&] { return after.video >= 5; }, 20s));
}

TEST (ResWhepServerSink, KilledViewerIsReaped)
{
  Server server ("rtcp-timeout=2000", false);
  /* warm up: one session, so what GLib and libnice make once exists */
  {
    Viewer v (server.url ());
    ASSERT_TRUE (wait_for ([&] { return v.video >= 5; }, 20s));
  }
  ASSERT_TRUE (wait_for ([&] { return server.viewers () == 0; }, 5s));
  int fds0 = 0, threads0 = 0;
  std::string fds_before;
  /* two viewers killed in turn: the first one's session may leave what is
   * made once on that path; the second must leave nothing */
  for (int round = 0; round < 2; round++) {
    std::this_thread::sleep_for (500ms);
    if (round == 1) {
      fds0 = fixtures::open_fds ();
      threads0 = threads_now ();
      fds_before = fd_list ();
    }
    fixtures::ChildProcess viewer ({ "gst-launch-1.0", "-q", "reswhepsrc",
                                     "endpoint=" + server.url (), "!",
                                     "fakesink" });
    ASSERT_TRUE (wait_for (
        [&] {
          GstStructure *s = server.stats ();
          const GValue *l = gst_structure_get_value (s, "viewer-list");
          bool connected
              = l && gst_value_array_get_size (l) == 1
                && g_strcmp0 (gst_structure_get_string (
                                  gst_value_get_structure (
                                      gst_value_array_get_value (l, 0)),
                                  "state"),
                              "connected")
                       == 0;
          gst_structure_free (s);
          return connected;
        },
        20s));
    /* let it report for a while, so its RTCP rhythm is known (the
     * allowance is at least 7.5 s until 10 s of reports are seen) */
    std::this_thread::sleep_for (11s);
    ASSERT_EQ (server.viewers (), 1u);
    auto killed = std::chrono::steady_clock::now ();
    viewer.kill9 ();
    ASSERT_TRUE (wait_for ([&] { return server.viewers () == 0; }, 30s));
    auto reaped_ms = std::chrono::duration_cast<std::chrono::milliseconds> (
                         std::chrono::steady_clock::now () - killed)
                         .count ();
    std::cerr << "viewer killed -9: reaped after " << reaped_ms << " ms\n";
    /* reswhepsrc reports every second (RECEIVER_REPORT_MS): reaped after
     * 3 x its longest gap, a few seconds. Before, with rtpsession's 5 s
     * rhythm: 15 s and more. */
    EXPECT_LT (reaped_ms, 8000);
    auto left = server.messages ("reswhepserversink-viewer-left");
    ASSERT_EQ (left.size (), 2u + round); /* the warm-up viewer first */
    std::string reason = gst_structure_get_string (left.back (), "reason");
    EXPECT_NE (reason.find ("RTCP"), std::string::npos) << reason;
  }
  expect_nothing_left (fds0, threads0, fds_before);
}

/* A browser engine we did not write plays over WHEP: the browser's own
 * recvonly offer POSTed cross-origin (CORS preflight), `codec` + Opus
 * decoded in the page, DELETE on stop. */
static void
browser_plays (Server &server, const std::string &url,
               const std::string &trust_spki = "",
               fixtures::Browser browser = fixtures::Browser::Chromium,
               const std::string &codec = "video/H264")
{
  fixtures::ChromiumPeer peer (browser);
  ASSERT_TRUE (peer.peer_ready ());
  ASSERT_TRUE (peer.start_chromium (90s, trust_spki));
  int id = peer.play (url);
  ASSERT_GT (id, 0);
  fixtures::PageSession last;
  bool decoded = wait_for (
      [&] {
        auto all = peer.sessions ();
        auto it = all.find (id);
        if (it == all.end ())
          return false;
        last = it->second;
        return last.frames_decoded >= 30 && last.in_audio_packets >= 20;
      },
      60s);
  ASSERT_TRUE (decoded) << "state " << last.state << ", codec "
                        << last.in_video_codec << ", frames "
                        << last.frames_decoded << ", audio packets "
                        << last.in_audio_packets;
  EXPECT_EQ (last.in_video_codec, codec);
  EXPECT_EQ (server.viewers (), 1u);
  /* the browser keeps decoding once its packets leave on the direct path
   * (our SRTP, its libsrtp) */
  ASSERT_TRUE (wait_for ([&] { return on_direct_path (server, 0); }, 10s));
  fixtures::PageSession at_switch = peer.sessions ()[id];
  ASSERT_TRUE (wait_for (
      [&] {
        last = peer.sessions ()[id];
        return last.frames_decoded >= at_switch.frames_decoded + 45
               && last.in_audio_packets >= at_switch.in_audio_packets + 60;
      },
      20s))
      << "on the direct path: " << last.frames_decoded - at_switch.frames_decoded
      << " more frames, " << last.in_audio_packets - at_switch.in_audio_packets
      << " more audio packets";
  /* the browser's offer was answered by our server, not peer.py */
  EXPECT_NE (peer.offer (id).find ("a=recvonly"), std::string::npos);
  peer.stop_play (id);
  EXPECT_TRUE (wait_for ([&] { return server.viewers () == 0; }, 10s));
  EXPECT_TRUE (wait_for ([&] { return peer.sessions ()[id].deleted; }, 10s));
  auto left = server.messages ("reswhepserversink-viewer-left");
  ASSERT_EQ (left.size (), 1u);
  EXPECT_STREQ (gst_structure_get_string (left[0], "reason"), "DELETE");
}

/* Input already encoded in the served codecs (x264enc and opusenc
 * upstream, as a relay of an origin's stream would be) is parsed and
 * payloaded as it is: no encoder in the sink, the viewer decodes, and a
 * joining viewer's keyframe request reaches the encoder upstream. Before:
 * the pads took raw media only (could not link). */
TEST (ResWhepServerSink, EncodedInputIsServedWithoutAnEncoder)
{
  Server server ("", true,
                 "x264enc name=up tune=zerolatency key-int-max=300 ! ",
                 "opusenc ! ");
  ASSERT_GT (server.port, 0);
  GstElement *up = gst_bin_get_by_name (GST_BIN (server.pipeline), "up");
  ASSERT_TRUE (up);
  std::atomic<int> key_requests{ 0 };
  GstPad *src = gst_element_get_static_pad (up, "src");
  gst_pad_add_probe (
      src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      [] (GstPad *, GstPadProbeInfo *info, gpointer c) {
        if (gst_video_event_is_force_key_unit (GST_PAD_PROBE_INFO_EVENT (info)))
          static_cast<std::atomic<int> *> (c)->fetch_add (1);
        return GST_PAD_PROBE_OK;
      },
      &key_requests, nullptr);
  gst_object_unref (src);
  gst_object_unref (up);
  {
    Viewer v (server.url ());
    ASSERT_TRUE (wait_for ([&] { return v.video >= 30 && v.audio >= 10; }, 20s))
        << v.video << " video, " << v.audio << " audio";
  }
  for (const char *enc : { "x264enc", "vp8enc", "opusenc" })
    EXPECT_EQ (fixtures::count_elements (server.sink, enc), 0) << enc;
  EXPECT_EQ (fixtures::count_elements (server.sink, "h264parse"), 1);
  EXPECT_GE (key_requests.load (), 1);
  server.bus->pump (50ms);
  EXPECT_EQ (server.bus->count (fixtures::is_error), 0);
}

/* Encoded input in a codec the viewers are not served is refused with a
 * sentence naming both (here through an appsrc, whose caps are known only
 * when it pushes: gst-launch cannot refuse the link in advance). */
TEST (ResWhepServerSink, InputInAnotherCodecIsAClearError)
{
  GstElement *p = gst_parse_launch (
      "appsrc name=a is-live=true format=time ! reswhepserversink port=0",
      nullptr);
  ASSERT_TRUE (p);
  fixtures::BusPump bus (p);
  ASSERT_NE (gst_element_set_state (p, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);
  GstElement *a = gst_bin_get_by_name (GST_BIN (p), "a");
  GstCaps *caps
      = gst_caps_from_string ("video/x-h265,stream-format=byte-stream,"
                              "alignment=au");
  gst_app_src_set_caps (GST_APP_SRC (a), caps);
  gst_caps_unref (caps);
  gst_app_src_push_buffer (GST_APP_SRC (a),
                           gst_buffer_new_allocate (nullptr, 64, nullptr));
  GstMessage *m = bus.wait (fixtures::is_error, 5s);
  ASSERT_TRUE (m);
  GError *err = nullptr;
  gst_message_parse_error (m, &err, nullptr);
  std::string text = err->message;
  g_error_free (err);
  EXPECT_NE (text.find ("H265"), std::string::npos) << text;
  EXPECT_NE (text.find ("H264"), std::string::npos) << text;
  gst_object_unref (a);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

TEST (ResWhepServerSink, ChromiumPlaysOverWhepAndDecodes)
{
  if (!fixtures::ChromiumPeer::installed ())
    GTEST_SKIP () << "chromium is not installed (scripts/debian-packages.txt)";
  Server server ("");
  browser_plays (server, server.url ());
}

/* Another WebRTC stack: firefox-esr (its own SDP, ICE and DTLS; without
 * the OpenH264 plugin it offers no H264, so the server serves VP8). */
TEST (ResWhepServerSink, FirefoxPlaysVp8OverWhep)
{
  if (!fixtures::ChromiumPeer::installed (fixtures::Browser::Firefox))
    GTEST_SKIP ()
        << "firefox-esr is not installed (scripts/debian-packages.txt)";
  Server server ("video-codec=vp8");
  browser_plays (server, server.url (), "", fixtures::Browser::Firefox,
                 "video/VP8");
}

/* The same with input encoded upstream (no encoder in the sink): what
 * x264enc makes from our caps answer is what chromium decodes. */
TEST (ResWhepServerSink, ChromiumPlaysEncodedInput)
{
  if (!fixtures::ChromiumPeer::installed ())
    GTEST_SKIP () << "chromium is not installed (scripts/debian-packages.txt)";
  Server server ("", true, "x264enc tune=zerolatency key-int-max=60 ! ",
                 "opusenc ! ");
  browser_plays (server, server.url ());
  EXPECT_EQ (fixtures::count_elements (server.sink, "x264enc"), 0);
}

/* The secure front as a browser uses it: chromium fetches the WHEP
 * endpoint over https, trusting the test certificate's key only (its
 * SHA-256 SPKI; `openssl x509 -in test-cert.pem -pubkey -noout | openssl
 * pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`), and
 * decodes. Its certificate is the one in the files, or chromium refuses. */
TEST (ResWhepServerSink, ChromiumPlaysOverHttps)
{
  if (!fixtures::ChromiumPeer::installed ())
    GTEST_SKIP () << "chromium is not installed (scripts/debian-packages.txt)";
  std::string tls = test_certificate_props ();
  ASSERT_FALSE (tls.empty ()) << "RESILIENT_SOURCE_ROOT is not set";
  Server server (tls);
  ASSERT_GT (server.port, 0);
  browser_plays (server,
                 "https://127.0.0.1:" + std::to_string (server.port) + "/whep",
                 fixtures::test_certificate_spki ());
}

/* https from certificate-file + key-file: the secure front. */
TEST (ResWhepServerSink, ServesHttpsFromCertificateFiles)
{
  std::string tls = test_certificate_props ();
  ASSERT_FALSE (tls.empty ()) << "RESILIENT_SOURCE_ROOT is not set";
  Server server (tls, false);
  ASSERT_GT (server.port, 0);
  std::string r
      = https_request (server.port, request ("OPTIONS", "/whep", "", ""));
  EXPECT_EQ (r.rfind ("HTTP/1.1 204", 0), 0u) << r;
  EXPECT_NE (r.find ("Accept-Post: application/sdp"), std::string::npos);
  r = https_request (server.port, request ("POST", "/whep", "application/sdp",
                                           std::string ("garbage")));
  EXPECT_EQ (r.rfind ("HTTP/1.1 400", 0), 0u) << r;
  /* plain http on the https port gets no WHEP answer */
  EXPECT_NE (
      raw_http (server.port, request ("OPTIONS", "/whep", "", "")).status, 204);
}

TEST (ResWhepServerSink, UnreadableKeyFileIsAClearError)
{
  expect_start_error ("videotestsrc is-live=true ! reswhepserversink port=0 "
                      "certificate-file=/nonexistent/cert.pem "
                      "key-file=/nonexistent/key.pem",
                      "/nonexistent/cert.pem");
}

TEST (ResWhepServerSink, BusyPortIsAClearError)
{
  Server first ("", false);
  expect_start_error ("videotestsrc is-live=true ! reswhepserversink port="
                          + std::to_string (first.port),
                      "cannot listen on 127.0.0.1:"
                          + std::to_string (first.port));
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
