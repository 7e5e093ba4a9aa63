/* docs/recipes.md: every recipe's command line, taken from the document
 * itself (the ```sh block after `<!-- recipe: NAME -->`), with the example
 * hosts, ports and paths replaced by local servers and a temporary
 * directory, run through bash as a user would paste it. What each recipe
 * promises is checked through the resilientmetrics event log (added with
 * GST_TRACERS) and the servers' own logs. */
#include "resilient/core/redact.h"
#include "eco_common.h"
#include "fixtures/servers.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <regex>

using namespace eco_test;
using namespace fixtures;
using namespace std::chrono_literals;

namespace {

std::string
recipe (const std::string &name)
{
  const std::string doc = read_file (source_root () + "/docs/recipes.md");
  const std::string marker = "<!-- recipe: " + name + " -->\n```sh\n";
  auto start = doc.find (marker);
  if (start == std::string::npos)
    return "";
  start += marker.size ();
  auto end = doc.find ("```", start);
  return doc.substr (start, end - start);
}

std::string
subst (std::string text,
       const std::vector<std::pair<std::string, std::string>> &repl)
{
  for (auto &[from, to] : repl) {
    size_t pos = 0, n = 0;
    while ((pos = text.find (from, pos)) != std::string::npos) {
      text.replace (pos, from.size (), to);
      pos += to.size ();
      n++;
    }
    EXPECT_GT (n, 0u) << "recipe no longer contains '" << from << "'";
  }
  return text;
}

/* "rtmp://127.0.0.1:PORT" of a server (the recipes add /live/...). */
std::string
base (const NginxRtmp &s)
{
  return "127.0.0.1:" + std::to_string (s.rtmp_port ());
}

/* The recipe in bash, its own process group (ChildProcess), stdout+stderr
 * to `out`; the tracer's event log to `log`. */
struct Recipe
{
  ChildProcess proc;
  Recipe (const std::string &script, const std::string &out,
          const std::string &log)
      : proc ({ "bash", "-c", script }, out,
              { "GST_TRACERS=resilientmetrics(address=none,log=" + log
                + ",stats-interval=500)" })
  {
  }
  ~Recipe ()
  {
    /* The whole pipeline of processes (gst-launch, sed, while-read). */
    if (proc.pid () > 0) {
      ::kill (-proc.pid (), SIGTERM);
      std::this_thread::sleep_for (300ms);
      ::kill (-proc.pid (), SIGKILL);
    }
  }
};

const Event *
last_event (const std::vector<Event> &evs, const std::string &element,
            const std::string &event)
{
  const Event *found = nullptr;
  for (auto &e : evs)
    if (e.element == element && e.event == event)
      found = &e;
  return found;
}

} // namespace

TEST (Recipes, SrtContributionIntoRtmpWithBackupIngest)
{
  NginxRtmp a, b;
  TempDir dir;
  const int p1 = free_port (true), p2 = free_port (true);
  std::string cmd
      = subst (recipe ("srt-contribution"),
               { { "0.0.0.0:9001", "127.0.0.1:" + std::to_string (p1) },
                 { "0.0.0.0:9002", "127.0.0.1:" + std::to_string (p2) },
                 { "ingest-a.example", base (a) },
                 { "ingest-b.example", base (b) } });
  const std::string log = dir.file ("events.jsonl"), out = dir.file ("out.log");
  Recipe r (cmd, out, log);
  std::this_thread::sleep_for (1500ms); /* listeners up before the callers */
  Publisher primary (looks::red (),
                     "srt://127.0.0.1:" + std::to_string (p1) + "?mode=caller");
  Publisher backup (looks::blue (),
                    "srt://127.0.0.1:" + std::to_string (p2) + "?mode=caller");
  ASSERT_TRUE (
      wait_until ([&] { return count_switches_to (log, 0) >= 1; }, 40s))
      << read_file (out) << read_file (log);
  ASSERT_TRUE (a.wait_for_publish ("STREAMKEY", 30s)) << read_file (out);
  primary.kill9 ();
  EXPECT_TRUE (
      wait_until ([&] { return count_switches_to (log, 1) >= 1; }, 30s))
      << read_file (log);
  a.kill9 ();
  EXPECT_TRUE (b.wait_for_publish ("STREAMKEY", 60s))
      << "no failover to ingest B\n"
      << read_file (out);
}

TEST (Recipes, SlateWhenEverythingFails)
{
  NginxRtmp studio, ingest;
  TempDir dir;
  const std::string slate = dir.file ("slate.png");
  Ran mk = run (
      { "bash", "-c",
        subst (recipe ("slate-make"), { { "/srv/slate.png", slate } }) });
  ASSERT_EQ (mk.status, 0) << mk.out;
  Publisher program (looks::red (), studio.rtmp_url ("program"));
  Publisher backup (looks::blue (), studio.rtmp_url ("program-backup"));
  ASSERT_TRUE (studio.wait_for_publish ("program", 15s));
  std::string cmd
      = subst (recipe ("slate"), { { "/srv/slate.png", slate },
                                   { "studio.example", base (studio) },
                                   { "ingest-a.example", base (ingest) } });
  const std::string log = dir.file ("events.jsonl"), out = dir.file ("out.log");
  Recipe r (cmd, out, log);
  ASSERT_TRUE (
      wait_until ([&] { return count_switches_to (log, 0) >= 1; }, 40s))
      << read_file (out);
  ASSERT_TRUE (ingest.wait_for_publish ("STREAMKEY", 30s)) << read_file (out);
  program.kill9 ();
  backup.kill9 ();
  ASSERT_TRUE (
      wait_until ([&] { return count_switches_to (log, -1) >= 1; }, 40s))
      << read_file (log);
  /* On the slate for a while: the ingest saw one publish only, and the
   * publisher keeps sending. */
  std::this_thread::sleep_for (4s);
  auto evs = read_events (log);
  const Event *st = last_event (evs, "out", "statistics");
  ASSERT_NE (st, nullptr);
  EXPECT_EQ (st->get_string ("status"), "publishing");
  EXPECT_EQ (ingest.publish_count ("STREAMKEY"), 1u);
  const Event *in = last_event (evs, "in", "statistics");
  ASSERT_NE (in, nullptr);
  EXPECT_EQ (in->get_int ("active-index"), -1);
}

TEST (Recipes, WhepPlayerWithRtmpFallback)
{
  NginxRtmp studio;
  TempDir dir;
  Publisher program (looks::red (), studio.rtmp_url ("program"));
  ASSERT_TRUE (studio.wait_for_publish ("program", 15s));
  /* The WHEP edge is down (nothing listens): the RTMP feed plays. */
  std::string cmd
      = subst (recipe ("whep-player"),
               { { "wheps://edge.example",
                   "whep://127.0.0.1:" + std::to_string (free_port ()) },
                 { "studio.example", base (studio) },
                 { "autovideosink", "fakesink" },
                 { "autoaudiosink", "fakesink" } });
  const std::string log = dir.file ("events.jsonl"), out = dir.file ("out.log");
  Recipe r (cmd, out, log);
  ASSERT_TRUE (
      wait_until ([&] { return count_switches_to (log, 1) >= 1; }, 40s))
      << read_file (out) << read_file (log);
  bool whep_failed = false;
  for (auto &e : read_events (log))
    whep_failed |= e.event == "candidate-failed" && e.get_int ("index") == 0;
  EXPECT_TRUE (whep_failed) << read_file (log);
}

TEST (Recipes, RecordingWithClipUploadHook)
{
  NginxRtmp ingest;
  TempDir dir;
  std::filesystem::create_directories (dir.file ("rec"));
  std::filesystem::create_directories (dir.file ("uploads"));
  /* A PUT receiver standing in for the upload server. */
  const int up = free_port ();
  const std::string server = dir.file ("put_server.py");
  {
    std::ofstream f (server);
    f << "import http.server, os, sys\n"
         "class H(http.server.BaseHTTPRequestHandler):\n"
         "    def do_PUT(self):\n"
         "        n = int(self.headers.get('Content-Length', 0))\n"
         "        data = self.rfile.read(n)\n"
         "        with open(os.path.join(sys.argv[2], "
         "os.path.basename(self.path)), 'wb') as o:\n"
         "            o.write(data)\n"
         "        self.send_response(201); self.end_headers()\n"
         "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), "
         "H).serve_forever()\n";
  }
  ChildProcess put ({ "/usr/bin/python3", server, std::to_string (up),
                      dir.file ("uploads") });
  ASSERT_TRUE (wait_for_tcp_port (up, 5000ms));
  std::string cmd = subst (
      recipe ("record-upload"),
      { { "/srv/rec/", dir.file ("rec") + "/" },
        { "recording-max-duration=60000", "recording-max-duration=2000" },
        { "width=1280,height=720", "width=320,height=240" },
        { "http://uploads.example", "http://127.0.0.1:" + std::to_string (up) },
        { "ingest-a.example", base (ingest) } });
  const std::string log = dir.file ("events.jsonl"), out = dir.file ("out.log");
  Recipe r (cmd, out, log);
  ASSERT_TRUE (wait_until (
      [&] {
        for (auto &f :
             std::filesystem::directory_iterator (dir.file ("uploads")))
          if (f.file_size () > 1000)
            return true;
        return false;
      },
      40s))
      << read_file (out);
  EXPECT_TRUE (ingest.wait_for_publish ("STREAMKEY", 5s));
  /* The PUT receiver writes the file before it answers, and curl's
   * "uploaded" line follows the answer: wait for the line. */
  const std::string uploaded = "uploaded " + dir.file ("rec") + "/clip-00000.mkv";
  EXPECT_TRUE (wait_until (
      [&] { return read_file (out).find (uploaded) != std::string::npos; },
      5s))
      << read_file (out);
  /* The publisher's timeline: on air to the ingest, clips marked. */
  Ran t = run ({ "/usr/bin/python3", source_root () + "/tools/timeline.py", log,
                 "-o", dir.file ("t.svg") });
  ASSERT_EQ (t.status, 0) << t.out;
  const std::string svg = read_file (dir.file ("t.svg"));
  EXPECT_NE (svg.find ("autorestoresink out"), std::string::npos) << svg;
  EXPECT_NE (svg.find ("data-event=\"clip-closed\""), std::string::npos) << svg;
  EXPECT_NE (svg.find ("#0 rtmp://" + base (ingest) + "/live/***"),
             std::string::npos)
      << svg;
}

TEST (Recipes, ClusterWithDiscovery)
{
  NginxRtmp edge1, edge2;
  TempDir dir;
  Publisher program (looks::red (), edge2.rtmp_url ("program"));
  ASSERT_TRUE (edge2.wait_for_publish ("program", 15s));
  /* The endpoint API: a static file server answering /streams/program. */
  std::filesystem::create_directories (dir.file ("api/streams"));
  {
    std::ofstream f (dir.file ("api/streams/program"));
    f << "{\"uri\": \"" << edge2.rtmp_url ("program") << "\"}\n";
  }
  const int api = free_port ();
  ChildProcess http ({ "/usr/bin/python3", "-m", "http.server", "--bind",
                       "127.0.0.1", "--directory", dir.file ("api"),
                       std::to_string (api) });
  ASSERT_TRUE (wait_for_tcp_port (api, 5000ms));
  std::string cmd = subst (
      recipe ("cluster"),
      { { "edge-1.example", base (edge1) },
        { "edge-2.example", base (edge2) },
        { "http://api.example", "http://127.0.0.1:" + std::to_string (api) },
        { "autovideosink", "fakesink" },
        { "autoaudiosink", "fakesink" } });
  const std::string log = dir.file ("events.jsonl"), out = dir.file ("out.log");
  Recipe r (cmd, out, log);
  ASSERT_TRUE (
      wait_until ([&] { return count_switches_to (log, 0) >= 1; }, 40s))
      << read_file (out) << read_file (log);
  /* The discovery answer (edge 2, listed second) was used. */
  EXPECT_GE (edge2.play_count ("program"), 1u);
  EXPECT_EQ (edge1.play_count ("program"), 0u);
  for (auto &e : read_events (log))
    EXPECT_NE (e.event, "discovery-failed") << read_file (log);
}

TEST (Recipes, ReadingTheMetrics)
{
  NginxRtmp studio;
  TempDir dir;
  Publisher program (looks::red (), studio.rtmp_url ("program"));
  Publisher backup (looks::blue (), studio.rtmp_url ("program-backup"));
  ASSERT_TRUE (studio.wait_for_publish ("program", 15s));
  ASSERT_TRUE (studio.wait_for_publish ("program-backup", 15s));
  const int port = free_port ();
  std::string cmd
      = subst (recipe ("metrics"),
               { { "127.0.0.1:9464", "127.0.0.1:" + std::to_string (port) },
                 { "/var/log/live/events.jsonl", dir.file ("events.jsonl") },
                 { "studio.example", base (studio) },
                 { "sleep 5", "sleep 12" } });
  const std::string out = dir.file ("out.log");
  /* The recipe sets GST_TRACERS itself; the Recipe wrapper's is overridden
   * by the assignment in the command. */
  Recipe r (cmd, out, dir.file ("unused.jsonl"));
  ASSERT_EQ (r.proc.wait_exit (60s), 0) << read_file (out);
  const std::string text = read_file (out);
  EXPECT_NE (text.find ("resilient_failoversrc_switches_total{element=\"in\""),
             std::string::npos)
      << text;
  EXPECT_NE (text.find ("resilient_failoversrc_active_index{element=\"in\","
                        "pipeline=\"pipeline0\"} 0"),
             std::string::npos)
      << text;
  EXPECT_NE (text.find ("index=\"0\",uri=\""
                        + resilient::Redact::uri (studio.rtmp_url ("program"))
                        + "\",state=\"healthy\"} 1"),
             std::string::npos)
      << text;
  EXPECT_GT (read_file (dir.file ("events.jsonl")).size (), 0u);
}

TEST (Recipes, SampleNginxConfigurationIsValid)
{
  Ran r
      = run ({ "nginx", "-t", "-c", source_root () + "/docs/nginx-rtmp.conf" });
  EXPECT_EQ (r.status, 0) << r.out;
  EXPECT_NE (r.out.find ("syntax is ok"), std::string::npos) << r.out;
}
