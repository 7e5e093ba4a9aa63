/* WHIP / WHEP start-up latency on loopback, against the strict test server
 * (tests/fixtures/whipserver) and against chromium (tests/fixtures/
 * chromiumpeer): N runs each of
 *   WHEP: PLAYING -> first decoded video frame out of reswhepsrc;
 *   WHIP: PLAYING -> first video frame decoded at the server (chromium:
 *         shown by the page, requestVideoFrameCallback);
 * with the breakdown the elements' statistics give (offer incl. OPTIONS,
 * HTTP POST round trip, ICE, DTLS, first keyframe decoded after DTLS).
 * Then autorestoresink publishing through a kill and restart of the WHIP
 * server, R rounds each (own server, chromium): detection (kill -> the
 * session ended), restore as the viewer sees it (server back -> first frame
 * decoded there), and the restored message's outage-ms / detection-ms.
 * Prints Markdown tables for docs/BENCHMARKS.md.
 *
 *   build/bench/resilient-whip-bench [runs] [rounds] [own]
 *
 * The liveness rounds run the strict test server twice: RTCP every ~1 s
 * and every ~100 ms (as often as transport-wide-cc feedback from browsers,
 * Janus or pion comes).
 */
#include "elements.h"
#include "fixtures/chromiumpeer.h"
#include "fixtures/whipserver.h"

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using fixtures::WhipTestServer;

namespace {

struct Run
{
  double total = -1, offer = -1, http = -1, ice = -1, dtls = -1, media = -1;
};

gint64
stat (const GstStructure *s, const char *f)
{
  gint64 v = -1;
  gst_structure_get_int64 (s, f, &v);
  return v;
}

void
breakdown (GstElement *e, Run &r)
{
  GstStructure *s = nullptr;
  g_object_get (e, "statistics", &s, NULL);
  if (!s)
    return;
  gint64 offer = stat (s, "offer-ms"), sent = stat (s, "post-sent-ms"),
      answer = stat (s, "answer-ms"), ice = stat (s, "ice-connected-ms"),
      conn = stat (s, "connected-ms");
  r.offer = sent;  /* OPTIONS + create-offer + (no trickle) gathering */
  r.http = answer - sent;
  r.ice = ice - answer;
  r.dtls = conn - ice;
  (void) offer;
  if (conn >= 0 && r.total >= 0)
    r.media = r.total - conn;
  gst_structure_free (s);
}

bool
wait_until (const std::function<bool ()> &pred, int ms)
{
  for (int i = 0; i < ms; i++) {
    if (pred ())
      return true;
    std::this_thread::sleep_for (std::chrono::milliseconds (1));
  }
  return pred ();
}

GstPadProbeReturn
first_buffer (GstPad *, GstPadProbeInfo *, gpointer data)
{
  auto *t = static_cast<std::atomic<gint64> *> (data);
  gint64 zero = 0;
  t->compare_exchange_strong (zero, g_get_monotonic_time ());
  return GST_PAD_PROBE_OK;
}

void
on_pad (GstElement *src, GstPad *pad, gpointer data)
{
  if (!g_str_has_prefix (GST_PAD_NAME (pad), "video_"))
    return;
  GstElement *pipeline = GST_ELEMENT (gst_element_get_parent (src));
  GstElement *sink = gst_element_factory_make ("fakesink", nullptr);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  GstPad *sp = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (sp, GST_PAD_PROBE_TYPE_BUFFER, first_buffer, data,
      nullptr);
  gst_pad_link (pad, sp);
  gst_object_unref (sp);
  gst_object_unref (pipeline);
}

/* PLAYING -> first decoded video frame out of reswhepsrc; `order`: its
 * video-codecs, null for the default. */
Run
whep_once (const std::string &uri, unsigned latency_ms, const char *order)
{
  Run r;
  std::atomic<gint64> first { 0 };
  GstElement *pipeline = gst_pipeline_new (nullptr);
  GstElement *src = gst_element_factory_make ("reswhepsrc", nullptr);
  g_object_set (src, "uri", uri.c_str (), "audio", FALSE, "latency",
      latency_ms, NULL);
  if (order)
    g_object_set (src, "video-codecs", order, NULL);
  gst_bin_add (GST_BIN (pipeline), src);
  g_signal_connect (src, "pad-added", G_CALLBACK (on_pad), &first);
  gint64 t0 = g_get_monotonic_time ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  if (wait_until ([&] { return first.load () != 0; }, 15000)) {
    r.total = (first.load () - t0) / 1000.0;
    breakdown (src, r);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return r;
}

/* PLAYING -> first frame decoded at the far side; `first_us` says when
 * (monotonic microseconds), 0 until then. */
Run
whip_once (const std::string &uri, const std::string &codec,
    const std::function<gint64 ()> &first_us)
{
  Run r;
  std::string d = "videotestsrc is-live=true ! video/x-raw,width=640,"
      "height=360,framerate=30/1 ! reswhipsink name=sink video-codecs="
      + codec + " uri=" + uri;
  GstElement *pipeline = gst_parse_launch (d.c_str (), nullptr);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gint64 t0 = g_get_monotonic_time ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  if (wait_until ([&] { return first_us () != 0; }, 15000)) {
    r.total = (first_us () - t0) / 1000.0;
    breakdown (sink, r);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return r;
}

/* When the page showed the first frame of a session newer than `before`,
 * as monotonic microseconds; 0 until then. */
gint64
page_first_us (fixtures::ChromiumPeer &peer, int before)
{
  auto s = peer.last ();
  if (!s || s->id <= before || !s->first_frame_ms)
    return 0;
  return s->first_frame_ms * 1000 - g_get_real_time ()
      + g_get_monotonic_time ();
}

/* autorestoresink's bus: when each element message first came. */
struct Publisher
{
  explicit Publisher (const std::string &location)
  {
    std::string d = "videotestsrc is-live=true ! video/x-raw,width=320,"
        "height=240,framerate=30/1 ! autorestoresink name=ars "
        "keyframe-interval=1000 location=" + location
        + " audiotestsrc is-live=true ! ars.audio";
    pipeline = gst_parse_launch (d.c_str (), nullptr);
    GstBus *bus = gst_element_get_bus (pipeline);
    gst_bus_set_sync_handler (bus, [] (GstBus *, GstMessage *m,
            gpointer data) {
          auto *self = static_cast<Publisher *> (data);
          const GstStructure *st = gst_message_get_structure (m);
          if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT && st) {
            std::lock_guard<std::mutex> g (self->lock);
            self->seen.push_back ({ gst_structure_get_name (st),
                  g_get_monotonic_time () });
            if (gst_structure_has_name (st, "autorestoresink-restored")) {
              gst_structure_get_int64 (st, "outage-ms", &self->outage_ms);
              gst_structure_get_int64 (st, "detection-ms",
                  &self->detection_ms);
            }
          }
          return GST_BUS_PASS;
        }, this, nullptr);
    gst_object_unref (bus);
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
  }
  ~Publisher ()
  {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
  /* When `name` first came after `since` (monotonic us), or 0. */
  gint64 when (const std::string &name, gint64 since)
  {
    std::lock_guard<std::mutex> g (lock);
    for (auto &[n, t] : seen)
      if (n == name && t >= since)
        return t;
    return 0;
  }
  GstElement *pipeline = nullptr;
  std::mutex lock;
  std::vector<std::pair<std::string, gint64>> seen;
  gint64 outage_ms = -1, detection_ms = -1;
};

struct Round
{
  double detect = -1, restore = -1, outage = -1, detection = -1;
};

/* The session ended: republished (pings-missing) or retried after an
 * error. */
gint64
ended (Publisher &p, gint64 since)
{
  gint64 a = p.when ("autorestoresink-republish", since);
  gint64 b = p.when ("autorestoresink-retry", since);
  return a && b ? std::min (a, b) : std::max (a, b);
}

/* `rounds` times: 3 s of publishing, kill (), the session ending,
 * restart (), then the viewer's first frame (`first_us`: monotonic
 * microseconds, 0 until then) and the restored message. */
std::vector<Round>
liveness (Publisher &p, int rounds, const std::function<void ()> &kill,
    const std::function<bool ()> &restart,
    const std::function<gint64 ()> &first_us)
{
  std::vector<Round> out;
  wait_until ([&] { return first_us () != 0; }, 15000);
  for (int i = 0; i < rounds; i++) {
    Round r;
    std::this_thread::sleep_for (std::chrono::seconds (3));
    gint64 killed = g_get_monotonic_time ();
    kill ();
    if (wait_until ([&] { return ended (p, killed) != 0; }, 20000))
      r.detect = (ended (p, killed) - killed) / 1000.0;
    if (!restart ())
      break;
    gint64 back = g_get_monotonic_time ();
    if (wait_until ([&] { return first_us () != 0; }, 30000))
      r.restore = (first_us () - back) / 1000.0;
    wait_until ([&] { return p.when ("autorestoresink-restored", killed)
          != 0; }, 5000);
    r.outage = p.outage_ms;
    r.detection = p.detection_ms;
    out.push_back (r);
  }
  return out;
}

/* Kill and restart of the strict test server (in process: its webrtcbin
 * goes away, a new one answers on the same port). */
std::vector<Round>
liveness_own (int rounds, unsigned rtcp_interval_ms)
{
  WhipTestServer::Options o;
  o.rtcp_interval_ms = rtcp_interval_ms;
  auto server = std::make_unique<WhipTestServer> (o);
  o.port = server->port ();
  Publisher p (server->url ());
  return liveness (p, rounds, [&] { server.reset (); },
      [&] { server = std::make_unique<WhipTestServer> (o); return true; },
      [&] { return server ? server->first_video_us () : 0; });
}

/* Kill (-9) and restart of the page's WHIP endpoint (chromium and
 * peer.py; the new endpoint numbers its sessions from 1). */
std::vector<Round>
liveness_chromium (fixtures::ChromiumPeer &peer, int rounds)
{
  Publisher p (peer.uri ("whip", "/whip"));
  return liveness (p, rounds, [&] { peer.kill_endpoint (); },
      [&] { return peer.restart_endpoint (); },
      [&] { return page_first_us (peer, 0); });
}

void
median_worst (std::vector<double> v, double &median, double &worst)
{
  v.erase (std::remove_if (v.begin (), v.end (),
          [] (double x) { return x < 0; }), v.end ());
  median = worst = -1;
  if (v.empty ())
    return;
  std::sort (v.begin (), v.end ());
  median = v.size () % 2 ? v[v.size () / 2] :
      (v[v.size () / 2 - 1] + v[v.size () / 2]) / 2;
  worst = v.back ();
}

void
report_rounds (const char *what, const std::vector<Round> &rounds)
{
  std::printf ("| %s | %zu |", what, rounds.size ());
  for (auto m : { &Round::detect, &Round::restore, &Round::outage,
          &Round::detection }) {
    std::vector<double> v;
    for (auto &r : rounds)
      v.push_back (r.*m);
    double med, worst;
    median_worst (v, med, worst);
    std::printf (" %.0f / %.0f |", med, worst);
  }
  std::printf ("\n");
  std::fflush (stdout);
}

void
report (const char *what, const std::vector<Run> &runs)
{
  auto column = [&] (double Run::*m, double &median, double &worst) {
    std::vector<double> v;
    for (auto &r : runs)
      v.push_back (r.*m);
    median_worst (v, median, worst);
  };
  int failed = 0;
  for (auto &r : runs)
    failed += r.total < 0;
  std::printf ("| %s | %zu (%d failed) |", what, runs.size (), failed);
  for (auto m : { &Run::total, &Run::offer, &Run::http, &Run::ice, &Run::dtls,
          &Run::media }) {
    double med, worst;
    column (m, med, worst);
    std::printf (" %.0f / %.0f |", med, worst);
  }
  std::printf ("\n");
  std::fflush (stdout);
}

}  // namespace

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  /* autorestoresink lives in the plugin only: with the plugin on
   * GST_PLUGIN_PATH every element comes from it */
  GstElementFactory *ars = gst_element_factory_find ("autorestoresink");
  if (ars) {
    gst_object_unref (ars);
  } else {
    GST_ELEMENT_REGISTER (reswhepsrc, nullptr);
    GST_ELEMENT_REGISTER (reswhipsink, nullptr);
  }
  int n = argc > 1 ? std::atoi (argv[1]) : 20;
  int rounds = argc > 2 ? std::atoi (argv[2]) : 10;
  /* "own": the strict test server only, no chromium rows */
  bool own_only = argc > 3 && std::string (argv[3]) == "own";

  std::printf ("| path | runs | total | offer | HTTP | ICE | DTLS | "
      "first frame after DTLS |\n|---|---|---|---|---|---|---|---|\n");
  struct Whep
  {
    const char *codec;
    unsigned latency;
  };
  for (Whep w : { Whep { "VP8", 200 }, Whep { "H264", 200 },
          Whep { "VP8", 20 } }) {
    WhipTestServer::Options o;
    o.kind = WhipTestServer::Kind::Whep;
    o.path = "/whep/cam";
    o.audio = false;
    o.video_codec = w.codec;
    WhipTestServer server (o);
    std::vector<Run> runs;
    for (int i = 0; i < n; i++)
      runs.push_back (whep_once (server.url (), w.latency, nullptr));
    report ((std::string ("WHEP ") + w.codec + " latency=" + std::to_string (
                w.latency) + ", PLAYING to first decoded frame").c_str (),
        runs);
  }
  for (const char *codec : { "vp8", "h264" }) {
    std::vector<Run> runs;
    for (int i = 0; i < n; i++) {
      WhipTestServer server ({});
      runs.push_back (whip_once (server.url (), codec,
          [&] { return server.first_video_us (); }));
    }
    std::string up = codec;
    std::transform (up.begin (), up.end (), up.begin (), ::toupper);
    report (("WHIP " + up + ", PLAYING to first frame decoded at the "
            "server").c_str (), runs);
  }

  std::unique_ptr<fixtures::ChromiumPeer> peer;
  if (fixtures::ChromiumPeer::installed () && !own_only) {
    peer = std::make_unique<fixtures::ChromiumPeer> ();
    if (!peer->peer_ready () || !peer->start_chromium ()) {
      std::fprintf (stderr, "chromium peer did not start\n");
      peer.reset ();
    }
  }
  if (peer) {
    for (const char *codec : { "h264", "vp8" }) {
      std::vector<Run> runs;
      for (int i = 0; i < n; i++) {
        int before = peer->last () ? peer->last ()->id : 0;
        runs.push_back (whip_once (peer->uri ("whip", "/whip"), codec,
            [&] { return page_first_us (*peer, before); }));
      }
      std::string up = codec;
      std::transform (up.begin (), up.end (), up.begin (), ::toupper);
      report (("WHIP " + up + " to chromium, PLAYING to first frame shown "
              "by the page").c_str (), runs);
    }
    for (const char *order : { "h264,vp8", "vp8,h264" }) {
      std::vector<Run> runs;
      for (int i = 0; i < n; i++)
        runs.push_back (whep_once (peer->uri ("whep", "/whep"), 200, order));
      report ((std::string ("WHEP from chromium, video-codecs=") + order
              + ", PLAYING to first decoded frame").c_str (), runs);
    }
  } else {
    std::fprintf (stderr, "no chromium: its rows are left out\n");
  }

  if (gst_element_factory_find ("autorestoresink")) {
    std::printf ("\n| autorestoresink WHIP, kill and restart | rounds | "
        "detection | restore, viewer-side | outage-ms | detection-ms |\n"
        "|---|---|---|---|---|---|\n");
    report_rounds ("strict test server (webrtcbin), RTCP every ~1 s",
        liveness_own (rounds, 1000));
    report_rounds ("strict test server (webrtcbin), RTCP every ~100 ms",
        liveness_own (rounds, 100));
    if (peer)
      report_rounds ("chromium endpoint (kill -9, restart)",
          liveness_chromium (*peer, rounds));
  } else {
    std::fprintf (stderr, "autorestoresink not found (run with "
        "GST_PLUGIN_PATH=build/gst/resilient): no liveness rows\n");
  }
  return 0;
}
