/* The ecosystem around the elements, as a user meets it (issue 13):
 * the resilientmetrics tracer enabled with GST_TRACERS on a gst-launch-1.0
 * line, scraped during a scripted failover and parsed with the
 * prometheus_client parser; its JSON-lines event log drawn by
 * tools/timeline.py and rendered with rsvg-convert; the Python and C
 * examples run against local servers. Servers are nginx-rtmp and
 * gst-launch publishers on loopback (tests/fixtures), stopped by pid. */
#include "resilient/core/redact.h"
#include "eco_common.h"
#include "fixtures/servers.h"

#include <gio/gio.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

using namespace eco_test;
using namespace fixtures;
using namespace std::chrono_literals;

namespace {

struct Sample
{
  std::string type, name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

/* Scrapes with tests/integration/eco/scrape.py (prometheus_client). */
std::vector<Sample>
scrape (int port, const std::string &raw_file, std::string *error)
{
  Ran r = run (
      { "/usr/bin/python3", source_root () + "/tests/integration/eco/scrape.py",
        "http://127.0.0.1:" + std::to_string (port) + "/metrics", raw_file });
  std::vector<Sample> out;
  if (r.status != 0) {
    *error = r.out;
    return out;
  }
  std::istringstream in (r.out);
  std::string line;
  while (std::getline (in, line)) {
    std::istringstream ls (line);
    Sample s;
    std::string labels, value;
    ls >> s.type >> s.name >> labels >> value;
    if (value.empty ()) { /* no labels */
      value = labels;
      labels.clear ();
    }
    std::istringstream lin (labels);
    std::string kv;
    while (std::getline (lin, kv, ',')) {
      auto eq = kv.find ('=');
      if (eq != std::string::npos)
        s.labels[kv.substr (0, eq)] = kv.substr (eq + 1);
    }
    s.value = std::stod (value);
    out.push_back (s);
  }
  return out;
}

const Sample *
find (const std::vector<Sample> &v, const std::string &name,
      const std::map<std::string, std::string> &want = {})
{
  for (auto &s : v) {
    if (s.name != name)
      continue;
    bool ok = true;
    for (auto &[k, val] : want)
      ok = ok && s.labels.count (k) && s.labels.at (k) == val;
    if (ok)
      return &s;
  }
  return nullptr;
}

std::string
tracers (int port, const std::string &log)
{
  return "GST_TRACERS=resilientmetrics(address=127.0.0.1:"
         + std::to_string (port) + ",log=" + log + ",stats-interval=500)";
}

struct TwoPublishers
{
  NginxRtmp server;
  Publisher main{ looks::red (), server.rtmp_url ("main") };
  Publisher backup{ looks::blue (), server.rtmp_url ("backup") };
  TwoPublishers ()
  {
    server.wait_for_publish ("main", 15s);
    server.wait_for_publish ("backup", 15s);
  }
};

} // namespace

/* A gst-launch-1.0 line with GST_TRACERS, as a user types it: metrics are
 * scraped before and after the primary's publisher is killed and after it
 * comes back; the exposition parses, counters move, the on-air candidate
 * changes, secrets stay out. The event log has every switch and draws a
 * timeline with them. */
TEST (EcoIntegration, MetricsAndTimelineDuringScriptedFailover)
{
  TwoPublishers s;
  TempDir dir;
  const int port = free_port ();
  const std::string log = dir.file ("events.jsonl");
  /* A third candidate that never answers carries a secret in its URI. */
  const std::string secret_uri
      = "rtmp://127.0.0.1:" + std::to_string (free_port ())
        + "/live/x?token=SECRET-TOKEN-42";
  ChildProcess gst ({ "gst-launch-1.0", "failoversrc", "name=f",
                      "failback-holdoff=2000",
                      "uris=" + s.server.rtmp_url ("main") + " | "
                          + s.server.rtmp_url ("backup") + " | " + secret_uri,
                      "f.video", "!", "fakesink", "sync=true", "f.audio", "!",
                      "fakesink", "sync=true" },
                    dir.file ("gst-launch.log"), { tracers (port, log) });

  ASSERT_TRUE (
      wait_until ([&] { return count_switches_to (log, 0) >= 1; }, 30s))
      << "no switch to the primary in the event log:\n"
      << read_file (log) << read_file (dir.file ("gst-launch.log"));
  std::string err;
  auto before = scrape (port, dir.file ("before.txt"), &err);
  ASSERT_FALSE (before.empty ()) << err;
  const Sample *sw = find (before, "resilient_failoversrc_switches_total",
                           { { "element", "f" } });
  ASSERT_NE (sw, nullptr) << read_file (dir.file ("before.txt"));
  EXPECT_EQ (sw->type, "counter");
  const double switches_before = sw->value;
  const Sample *active = find (before, "resilient_failoversrc_active_index");
  ASSERT_NE (active, nullptr);
  EXPECT_EQ (active->value, 0);
  EXPECT_EQ (active->type, "gauge");

  s.main.kill9 ();
  ASSERT_TRUE (
      wait_until ([&] { return count_switches_to (log, 1) >= 1; }, 30s))
      << read_file (log);
  /* Let a statistics window pass on the backup. */
  std::this_thread::sleep_for (2500ms);
  auto during = scrape (port, dir.file ("during.txt"), &err);
  ASSERT_FALSE (during.empty ()) << err;
  const std::string raw = read_file (dir.file ("during.txt"));
  sw = find (during, "resilient_failoversrc_switches_total");
  ASSERT_NE (sw, nullptr);
  EXPECT_GT (sw->value, switches_before);
  EXPECT_EQ (find (during, "resilient_failoversrc_active_index")->value, 1);
  auto *backup_state = find (during, "resilient_failoversrc_candidate_state",
                             { { "index", "1" }, { "state", "healthy" } });
  ASSERT_NE (backup_state, nullptr) << raw;
  EXPECT_EQ (backup_state->labels.at ("uri"),
            resilient::Redact::uri (s.server.rtmp_url ("backup")));
  auto *rate
      = find (during, "resilient_failoversrc_candidate_bitrate_bits_per_second",
              { { "index", "1" } });
  ASSERT_NE (rate, nullptr) << raw;
  EXPECT_GT (rate->value, 50000) << "backup publishes ~600 kbit/s";
  auto *backup_time
      = find (during, "resilient_failoversrc_time_on_backup_seconds_total");
  ASSERT_NE (backup_time, nullptr) << raw;
  EXPECT_EQ (backup_time->type, "counter");
  EXPECT_GT (backup_time->value, 1.0);
  auto *gap = find (during, "resilient_failoversrc_last_gap_seconds");
  ASSERT_NE (gap, nullptr);
  EXPECT_EQ (gap->type, "gauge");
  auto *msgs = find (during, "resilient_failoversrc_messages_total",
                     { { "event", "switch" } });
  ASSERT_NE (msgs, nullptr) << raw;
  EXPECT_GE (msgs->value, 2);
  /* The secret candidate is listed, redacted. */
  auto *third = find (during, "resilient_failoversrc_candidate_retries_total",
                      { { "index", "2" } });
  ASSERT_NE (third, nullptr) << raw;
  EXPECT_NE (third->labels.at ("uri").find ("token=***"), std::string::npos);
  EXPECT_EQ (raw.find ("SECRET-TOKEN-42"), std::string::npos) << raw;

  s.main.start ();
  ASSERT_TRUE (wait_until (
      [&] { return count_switches_to (log, 0, "failback") >= 1; }, 40s))
      << read_file (log);
  auto after = scrape (port, dir.file ("after.txt"), &err);
  ASSERT_FALSE (after.empty ()) << err;
  EXPECT_GE (find (after, "resilient_failoversrc_failbacks_total")->value, 1);
  EXPECT_EQ (find (after, "resilient_failoversrc_active_index")->value, 0);
  gst.terminate ();

  /* The log: every line JSON, secrets redacted, the scripted switches. */
  std::string bad;
  auto events = read_events (log, &bad);
  EXPECT_TRUE (bad.empty ()) << "not a JSON event line: " << bad;
  EXPECT_EQ (read_file (log).find ("SECRET-TOKEN-42"), std::string::npos);
  size_t stats_lines = 0;
  for (auto &e : events)
    stats_lines += e.event == "statistics" && e.element == "f";
  EXPECT_GE (stats_lines, 10u);

  /* The picture. */
  const std::string svg = dir.file ("timeline.svg");
  const std::string png = dir.file ("timeline.png");
  Ran t = run ({ "/usr/bin/python3", source_root () + "/tools/timeline.py", log,
                 "-o", svg });
  ASSERT_EQ (t.status, 0) << t.out;
  Ran c = run ({ "rsvg-convert", svg, "-o", png });
  ASSERT_EQ (c.status, 0) << c.out;
  const std::string pngdata = read_file (png);
  ASSERT_GT (pngdata.size (), 1000u);
  EXPECT_EQ (pngdata.substr (1, 3), "PNG");
  const std::string text = read_file (svg);
  /* Kept in the build tree for a person to look at. */
  std::filesystem::copy_file (
      svg, build_root () + "/tests/eco-timeline.svg",
      std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file (
      png, build_root () + "/tests/eco-timeline.png",
      std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file (
      log, build_root () + "/tests/eco-events.jsonl",
      std::filesystem::copy_options::overwrite_existing);
  /* A marker per scripted switch, with reason and gap: startup to #0, the
   * kill to #1 (directly, or through filler with cold standby), the
   * failback to #0; segments on air for both. */
  EXPECT_NE (text.find ("data-from=\"-1\" data-to=\"0\""), std::string::npos)
      << text;
  EXPECT_TRUE (text.find ("data-from=\"0\" data-to=\"1\"") != std::string::npos
               || text.find ("data-from=\"-1\" data-to=\"1\"")
                      != std::string::npos)
      << text;
  EXPECT_NE (
      text.find ("data-from=\"1\" data-to=\"0\" data-reason=\"failback\""),
      std::string::npos)
      << text;
  EXPECT_NE (text.find ("\u2192 #1 "), std::string::npos) << text;
  EXPECT_NE (text.find ("#1 \u2192 #0 failback, gap "), std::string::npos)
      << text;
  EXPECT_NE (text.find ("class=\"segment\" data-index=\"1\""),
             std::string::npos);
  EXPECT_NE (
      text.find ("data-series=\"#1 "
                 + resilient::Redact::uri (s.server.rtmp_url ("backup"))
                 + "\""),
      std::string::npos);
  EXPECT_EQ (text.find ("SECRET-TOKEN-42"), std::string::npos);
}

/* The metrics port is taken: a WARNING that says so, and the pipeline runs
 * on (the event log still works). */
TEST (EcoIntegration, MetricsPortInUseIsAWarningNotAFailure)
{
  TwoPublishers s;
  TempDir dir;
  GError *e = nullptr;
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                G_SOCKET_PROTOCOL_TCP, &e);
  ASSERT_NE (sock, nullptr);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *sa = g_inet_socket_address_new (lo, 0);
  ASSERT_TRUE (g_socket_bind (sock, sa, FALSE, &e));
  ASSERT_TRUE (g_socket_listen (sock, &e));
  GSocketAddress *bound = g_socket_get_local_address (sock, &e);
  const int port
      = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  const std::string log = dir.file ("events.jsonl");
  const std::string out = dir.file ("gst-launch.log");
  ChildProcess gst ({ "gst-launch-1.0", "failoversrc", "name=f",
                      "uris=" + s.server.rtmp_url ("main"), "f.video", "!",
                      "fakesink", "f.audio", "!", "fakesink" },
                    out, { tracers (port, log) });
  EXPECT_TRUE (
      wait_until ([&] { return count_switches_to (log, 0) >= 1; }, 30s))
      << read_file (out);
  std::this_thread::sleep_for (1s);
  EXPECT_TRUE (gst.running ()) << read_file (out);
  const std::string text = read_file (out);
  EXPECT_NE (text.find ("WARNING"), std::string::npos) << text;
  EXPECT_NE (
      text.find ("cannot serve metrics on 127.0.0.1:" + std::to_string (port)),
      std::string::npos)
      << text;
  EXPECT_EQ (text.find ("ERROR"), std::string::npos) << text;
  gst.terminate ();
  g_object_unref (bound);
  g_object_unref (sa);
  g_object_unref (lo);
  g_object_unref (sock);
}

/* examples/python/failover_player.py: messages, statistics with the status
 * nick, manual switch-to and back to automatic. The tracer is enabled for
 * this application the same way as for gst-launch (GST_TRACERS). */
TEST (EcoIntegration, PythonFailoverPlayerExample)
{
  TwoPublishers s;
  TempDir dir;
  const std::string log = dir.file ("events.jsonl");
  gchar **env = g_get_environ ();
  env = g_environ_setenv (
      env, "GST_TRACERS",
      ("resilientmetrics(address=none,log=" + log + ")").c_str (), TRUE);
  Ran r = run ({ "/usr/bin/python3",
                 source_root () + "/examples/python/failover_player.py",
                 s.server.rtmp_url ("main"), s.server.rtmp_url ("backup"),
                 "--video-sink", "fakesink", "--audio-sink", "fakesink",
                 "--switch", "5:1", "--switch", "10:-1", "--duration", "15" },
               env);
  g_strfreev (env);
  EXPECT_EQ (r.status, 0) << r.out;
  EXPECT_NE (r.out.find ("switch -1 -> 0 (start)"), std::string::npos)
      << r.out;
  EXPECT_NE (r.out.find ("switch-to 1: accepted"), std::string::npos) << r.out;
  EXPECT_NE (r.out.find ("switch 0 -> 1 (manual)"), std::string::npos) << r.out;
  EXPECT_NE (r.out.find ("status=backup active=1"), std::string::npos) << r.out;
  EXPECT_NE (r.out.find ("switch-to -1: accepted"), std::string::npos) << r.out;
  EXPECT_NE (r.out.find ("status=live active=0"), std::string::npos) << r.out;
  EXPECT_EQ (count_switches_to (log, 1, "manual"), 1u) << read_file (log);
}

/* examples/python/restoring_publisher.py: the server is killed and comes
 * back; the example reports the restore and exits 0. */
TEST (EcoIntegration, PythonRestoringPublisherExample)
{
  NginxRtmp server;
  TempDir dir;
  ChildProcess py ({ "/usr/bin/python3",
                     source_root () + "/examples/python/restoring_publisher.py",
                     server.rtmp_url ("pub"), "--duration", "14",
                     "--min-restores", "1" },
                   dir.file ("out.log"));
  ASSERT_TRUE (server.wait_for_publish ("pub", 15s))
      << read_file (dir.file ("out.log"));
  std::this_thread::sleep_for (1s);
  server.restart ();
  int status = py.wait_exit (40s);
  const std::string out = read_file (dir.file ("out.log"));
  EXPECT_EQ (status, 0) << out;
  EXPECT_NE (out.find ("restored rtmp://127.0.0.1:"), std::string::npos) << out;
  EXPECT_NE (out.find ("status=publishing"), std::string::npos) << out;
}

/* examples/c/failover-watch, built by meson. */
TEST (EcoIntegration, CExample)
{
  TwoPublishers s;
  Ran r = run ({ build_root () + "/examples/failover-watch", "--switch", "5:1",
                 "--duration", "9", s.server.rtmp_url ("main"),
                 s.server.rtmp_url ("backup") });
  EXPECT_EQ (r.status, 0) << r.out;
  EXPECT_NE (r.out.find ("switch 0 -> 1 (manual)"), std::string::npos) << r.out;
  EXPECT_NE (r.out.find ("status=backup active=1"), std::string::npos) << r.out;
}
