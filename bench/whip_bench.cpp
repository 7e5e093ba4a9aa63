/* WHIP / WHEP start-up latency on loopback, against the strict test server
 * (tests/fixtures/whipserver): N runs each of
 *   WHEP: PLAYING -> first decoded video frame out of reswhepsrc;
 *   WHIP: PLAYING -> first video frame decoded at the server;
 * with the breakdown the elements' statistics give (offer incl. OPTIONS,
 * HTTP POST round trip, ICE, DTLS, first keyframe decoded after DTLS).
 * Prints a Markdown table for docs/BENCHMARKS.md.
 *
 *   build/bench/resilient-whip-bench [runs] [vp8|h264]
 */
#include "elements.h"
#include "fixtures/whipserver.h"

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
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

Run
whep_once (WhipTestServer &server, unsigned latency_ms)
{
  Run r;
  std::atomic<gint64> first { 0 };
  GstElement *pipeline = gst_pipeline_new (nullptr);
  GstElement *src = gst_element_factory_make ("reswhepsrc", nullptr);
  g_object_set (src, "uri", server.url ().c_str (), "audio", FALSE,
      "latency", latency_ms, NULL);
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

Run
whip_once (const std::string &codec)
{
  WhipTestServer server ({});
  Run r;
  std::string d = "videotestsrc is-live=true ! video/x-raw,width=640,"
      "height=360,framerate=30/1 ! reswhipsink name=sink video-codecs="
      + codec + " uri=" + server.url ();
  GstElement *pipeline = gst_parse_launch (d.c_str (), nullptr);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gint64 t0 = g_get_monotonic_time ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  if (wait_until ([&] { return server.first_video_us () != 0; }, 15000)) {
    r.total = (server.first_video_us () - t0) / 1000.0;
    breakdown (sink, r);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return r;
}

void
report (const char *what, const std::vector<Run> &runs)
{
  auto column = [&] (double Run::*m, double &median, double &worst) {
    std::vector<double> v;
    for (auto &r : runs)
      if (r.*m >= 0)
        v.push_back (r.*m);
    median = worst = -1;
    if (v.empty ())
      return;
    std::sort (v.begin (), v.end ());
    median = v.size () % 2 ? v[v.size () / 2] :
        (v[v.size () / 2 - 1] + v[v.size () / 2]) / 2;
    worst = v.back ();
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
  GST_ELEMENT_REGISTER (reswhepsrc, nullptr);
  GST_ELEMENT_REGISTER (reswhipsink, nullptr);
  int n = argc > 1 ? std::atoi (argv[1]) : 20;

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
      runs.push_back (whep_once (server, w.latency));
    report ((std::string ("WHEP ") + w.codec + " latency=" + std::to_string (
                w.latency) + ", PLAYING to first decoded frame").c_str (),
        runs);
  }
  for (const char *codec : { "vp8", "h264" }) {
    std::vector<Run> runs;
    for (int i = 0; i < n; i++)
      runs.push_back (whip_once (codec));
    std::string up = codec;
    std::transform (up.begin (), up.end (), up.begin (), ::toupper);
    report (("WHIP " + up + ", PLAYING to first frame decoded at the "
            "server").c_str (), runs);
  }
  return 0;
}
