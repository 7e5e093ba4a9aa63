/* failoversrc with WHEP candidates (whep://, served by reswhepsrc through
 * uridecodebin) against the strict WHEP test server on loopback, with a file
 * or RTMP (nginx-rtmp + publisher) candidate beside it. Every source shows
 * its own look, so the tests assert what a viewer would notice: which source
 * is on the output and for how long the output lacked new content; and what
 * the bus says: why the output switched, whether a WHEP refusal was taken as
 * fatal (given up, not retried) or transient (retried, Retry-After
 * honoured), and that no WHEP failure became an ERROR.
 *
 * Written against docs/elements/failoversrc.md ("WHEP candidates") and
 * docs/elements/reswhepsrc.md. */
#include "failover_common.h"
#include "fixtures/process.h"
#include "fixtures/rig.h"
#include "fixtures/servers.h"
#include "fixtures/watcher.h"
#include "fixtures/whipserver.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>
#include <thread>

using namespace failover_test;
using namespace fixtures;
using namespace std::chrono_literals;

namespace {

/* A missing element is a failure, not a skip (the build provides both). */
#define REQUIRE_ELEMENT(rig) \
  do { \
    if (!(rig).available ()) \
      FAIL () << (rig).error (); \
    if (!gst_uri_protocol_is_supported (GST_URI_SRC, "whep")) \
      FAIL () << "reswhepsrc (whep://) is not available"; \
  } while (0)

std::unique_ptr<WhipTestServer>
whep_server (const Look &look, int port = 0)
{
  WhipTestServer::Options o;
  o.kind = WhipTestServer::Kind::Whep;
  o.path = "/whep/cam";
  o.video_pattern = look.videotestsrc_args;
  o.port = port;
  return std::make_unique<WhipTestServer> (o);
}

std::string
whep_uri (int port)
{
  return "whep://127.0.0.1:" + std::to_string (port) + "/whep/cam";
}

size_t
count_for (SourceRig &rig, const std::string &name, int index)
{
  size_t n = 0;
  for (auto &e : rig.bus ().entries (name))
    n += e.get_int ("index") == index;
  return n;
}

}  // namespace

/* A WHEP primary whose server goes away: the output moves to the hot file
 * backup and the switch says why (the WHEP media stopped: `timeout`, or the
 * session failed: `error`). While the server is down the WHEP candidate's
 * retries fail transiently (connection refused, reported by reswhepsrc) and
 * are retried, never given up; when the server is back on the same port the
 * output returns to WHEP. */
TEST (FailoverWhep, WhepServerGoneSwitchesToBackupAndComesBack)
{
  TempDir d;
  make_media_file (d.file ("backup.mkv"), looks::blue (), 20.0);
  auto server = whep_server (looks::green ());
  ASSERT_GT (server->port (), 0);
  int port = server->port ();
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, whep_uri (port) + " | file://" + d.file ("backup.mkv"));
  ASSERT_TRUE (start_on (rig, "green"));
  EXPECT_EQ (rig.get_int ("active-candidate"), 0);
  EXPECT_EQ (server->sessions_created (), 1);

  /* From the WHEP picture's first frame: a loaded machine can start the
   * output on the backup (WHEP's ICE past the start grace) and fail back,
   * and that first blue run is not the switch measured here. */
  auto green_on = rig.video ().first_run_of ("green", Clock::time_point::min (), 5);
  ASSERT_TRUE (green_on) << rig.describe ();
  auto killed = Clock::now ();
  server.reset ();              /* every session and the HTTP server gone */
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, killed))
      << rig.describe ();
  auto gap = rig.video ().switch_gap_ms ("green", "blue", *green_on);
  ASSERT_TRUE (gap.has_value ()) << rig.describe ();
  /* Silence is noticed after `timeout` (1 s); held frames cover it. */
  EXPECT_LT (*gap, 3000.0) << rig.describe ();
  auto sw = wait_switch (rig, 1, killed);
  ASSERT_TRUE (sw) << rig.describe ();
  EXPECT_EQ (sw->get_int ("from-index"), 0);
  std::set<std::string> why = {"timeout", "error"};
  EXPECT_TRUE (why.count (sw->get_string ("reason")))
      << "switch reason " << sw->get_string ("reason");
  std::printf ("[ figure ] WHEP server gone -> file backup: content gap "
      "%.0f ms, gap-ms %llu, detect-ms %llu, reason %s\n", *gap,
      (unsigned long long) sw->get_uint64 ("gap-ms"),
      (unsigned long long) sw->get_uint64 ("detect-ms"),
      sw->get_string ("reason").c_str ());

  /* A retry against the dead port: reswhepsrc reports a transient failure
   * (no HTTP answer), failoversrc retries it. */
  auto refused = rig.bus ().wait_for ("failoversrc-candidate-failed", 8000ms,
      [&] (const BusRecorder::Entry &e) {
        return e.wall > killed && e.get_int ("index") == 0
            && e.get_string ("detail").find ("WHEP transient") !=
            std::string::npos;
      });
  ASSERT_TRUE (refused) << rig.describe ();
  EXPECT_FALSE (refused->get_bool ("fatal", true));
  EXPECT_NE (refused->get_string ("detail").find ("HTTP 0"), std::string::npos)
      << refused->get_string ("detail");
  EXPECT_TRUE (rig.bus ().wait_for ("failoversrc-retry", 3000ms,
          [&] (const BusRecorder::Entry &e) {
            return e.wall >= refused->wall && e.get_int ("index") == 0;
          })) << rig.describe ();
  EXPECT_EQ (count_for (rig, "failoversrc-give-up", 0), 0u);
  /* reswhepsrc's own report reaches the application too, before ours. */
  auto own = rig.bus ().wait_for ("reswhepsrc-failure", 1000ms,
      [&] (const BusRecorder::Entry &e) { return e.wall > killed; });
  ASSERT_TRUE (own) << rig.describe ();
  EXPECT_LE (own->wall, refused->wall);
  EXPECT_EQ (own->get_string ("severity"), "transient");

  /* The server is back: the output returns to WHEP after the hold-off. */
  auto back = Clock::now ();
  server = whep_server (looks::green (), port);
  ASSERT_EQ (server->port (), port);
  ASSERT_TRUE (rig.video ().wait_for_class ("green", 15000ms, 5, back))
      << rig.describe ();
  auto fb = wait_switch (rig, 0, back);
  ASSERT_TRUE (fb) << rig.describe ();
  EXPECT_EQ (fb->get_string ("reason"), "failback");
  EXPECT_EQ (rig.enum_nick ("status"), "live");
  expect_survived (rig);
  rig.stop ();
}

/* A WHEP candidate refused with 401 (missing token) or 404 is fatal: one
 * POST, a give-up with the HTTP status in its detail, never retried; the
 * other candidate plays. */
class FailoverWhepFatal : public ::testing::TestWithParam<int>
{
};

TEST_P (FailoverWhepFatal, RefusalIsGivenUpNotRetried)
{
  const int status = GetParam ();
  TempDir d;
  make_media_file (d.file ("backup.mkv"), looks::blue (), 10.0);
  WhipTestServer::Options o;
  o.kind = WhipTestServer::Kind::Whep;
  o.path = "/whep/cam";
  o.video_pattern = looks::green ().videotestsrc_args;
  if (status == 401)
    o.token = "the-right-token";  /* failoversrc sends none */
  WhipTestServer server (o);
  if (status == 404) {
    ScriptedResponse r;
    r.status = 404;
    r.content_type = "text/plain";
    r.body = "no such stream";
    server.script_post (r);
  }
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, whep_uri (server.port ()) + " | file://"
      + d.file ("backup.mkv"));
  ASSERT_TRUE (start_on (rig, "blue"));
  auto gu = rig.bus ().wait_for ("failoversrc-give-up", 5000ms,
      [] (const BusRecorder::Entry &e) { return e.get_int ("index") == 0; });
  ASSERT_TRUE (gu) << rig.describe ();
  EXPECT_TRUE (gu->get_bool ("fatal"));
  std::string detail = gu->get_string ("detail");
  EXPECT_NE (detail.find ("HTTP " + std::to_string (status)),
      std::string::npos) << detail;
  EXPECT_NE (detail.find ("WHEP fatal"), std::string::npos) << detail;
  /* Not retried in a loop: give it time for several retries. */
  std::this_thread::sleep_for (2500ms);
  EXPECT_EQ (server.requests ("POST").size (), 1u);
  EXPECT_EQ (count_for (rig, "failoversrc-retry", 0), 0u);
  EXPECT_EQ (rig.enum_nick ("status"), "backup");
  EXPECT_EQ (rig.video ().current (), "blue");
  auto failures = rig.bus ().entries ("reswhepsrc-failure");
  ASSERT_EQ (failures.size (), 1u) << rig.describe ();
  EXPECT_EQ (failures[0].get_string ("severity"), "fatal");
  EXPECT_EQ (failures[0].get_int ("http-status"), status);
  /* reswhepsrc was told not to post an ERROR: a WARNING at most. */
  expect_survived (rig);
  rig.stop ();
}

INSTANTIATE_TEST_SUITE_P (Statuses, FailoverWhepFatal,
    ::testing::Values (401, 404));

/* A WHEP server that answers 503 with Retry-After: 2 is retried (transient),
 * not before two seconds although retry-delay is 200 ms; the next POST
 * succeeds and the output fails back to WHEP. */
TEST (FailoverWhep, RetryAfterIsTheFloorOfTheNextRetry)
{
  TempDir d;
  make_media_file (d.file ("backup.mkv"), looks::blue (), 20.0);
  auto server = whep_server (looks::green ());
  ScriptedResponse r;
  r.status = 503;
  r.retry_after = "2";
  server->script_post (r);
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, whep_uri (server->port ()) + " | file://"
      + d.file ("backup.mkv"));
  ASSERT_TRUE (start_on (rig, "blue"));
  auto retry = rig.bus ().wait_for ("failoversrc-retry", 5000ms,
      [] (const BusRecorder::Entry &e) { return e.get_int ("index") == 0; });
  ASSERT_TRUE (retry) << rig.describe ();
  EXPECT_GE (retry->get_uint64 ("delay-ms"), 2000u);
  EXPECT_EQ (count_for (rig, "failoversrc-give-up", 0), 0u);
  auto failed = rig.bus ().entries ("failoversrc-candidate-failed");
  ASSERT_FALSE (failed.empty ());
  EXPECT_FALSE (failed[0].get_bool ("fatal", true));
  EXPECT_NE (failed[0].get_string ("detail").find ("HTTP 503"),
      std::string::npos) << failed[0].get_string ("detail");
  /* The second POST (after >= 2 s) is answered: WHEP comes back. */
  ASSERT_TRUE (rig.video ().wait_for_class ("green", 15000ms, 5,
          retry->wall)) << rig.describe ();
  auto posts = server->requests ("POST");
  ASSERT_GE (posts.size (), 2u);
  EXPECT_EQ (posts[0].status, 503);
  EXPECT_EQ (posts[1].status, 201);
  auto fb = wait_switch (rig, 0, retry->wall, 1000ms);
  ASSERT_TRUE (fb) << rig.describe ();
  /* The retry came no earlier than Retry-After (the start is `delay-ms`
   * after the retry message; the WHEP session then needs a moment). */
  EXPECT_GE (ms_between (retry->wall, fb->wall), 2000.0);
  expect_survived (rig);
  rig.stop ();
}

/* Hot standby with a WHEP backup: the RTMP primary's publisher is killed,
 * the already connected WHEP candidate takes over within about a frame. */
TEST (FailoverWhep, WhepHotStandbyTakesOverFromKilledRtmpPrimary)
{
  NginxRtmp nginx;
  Publisher a (looks::red (), nginx.rtmp_url ("a"));
  ASSERT_TRUE (nginx.wait_for_publish ("a", 10s));
  auto server = whep_server (looks::green ());
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, nginx.rtmp_url ("a") + " | " + whep_uri (server->port ()));
  ASSERT_TRUE (start_on (rig, "red"));
  /* Hot: the WHEP backup is connected and decoded before it is needed. */
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server->sessions_created () >= 1;
  }, 10000ms)) << rig.describe ();
  /* Connected and decoding (ICE, DTLS, first keyframe). */
  std::this_thread::sleep_for (2000ms);

  auto killed = Clock::now ();
  a.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("green", kSwitch, 5, killed))
      << rig.describe ();
  auto gap = rig.video ().switch_gap_ms ("red", "green", killed - 2s);
  ASSERT_TRUE (gap.has_value ()) << rig.describe ();
  EXPECT_LT (*gap, 2000.0) << rig.describe ();
  auto sw = wait_switch (rig, 1, killed);
  ASSERT_TRUE (sw) << rig.describe ();
  EXPECT_EQ (sw->get_int ("from-index"), 0);
  EXPECT_EQ (sw->get_string ("to-uri"), whep_uri (server->port ()));
  std::set<std::string> hard = {"error", "eos", "pad-removed", "timeout"};
  EXPECT_TRUE (hard.count (sw->get_string ("reason")))
      << sw->get_string ("reason");
  std::printf ("[ figure ] RTMP killed -> hot WHEP backup: content gap "
      "%.0f ms, gap-ms %llu, reason %s\n", *gap,
      (unsigned long long) sw->get_uint64 ("gap-ms"),
      sw->get_string ("reason").c_str ());
  EXPECT_EQ (server->sessions_created (), 1)
      << "the hot WHEP standby was reconnected instead of used";
  EXPECT_EQ (rig.enum_nick ("status"), "backup");
  auto after = Clock::now ();
  std::this_thread::sleep_for (700ms);
  size_t n = 0;
  for (auto &f : rig.audio ().frames ())
    n += f.wall >= after;
  EXPECT_GT (n, 5u) << "audio stopped";
  EXPECT_TRUE (rig.video ().pts_monotonic ());
  expect_survived (rig);
  rig.stop ();
}
