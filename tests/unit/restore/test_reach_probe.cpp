/* ReachProbe (probe cadence, when a probe skips the wait) and
 * FailureNotice (when a failure is worth a WARNING), on injected time. */
#include "resilient/restore/reach_probe.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::restore;

TEST (ReachProbe, CadenceStartsFastAndSlowsWithTheOutageUpToTheMaximum)
{
  ReachProbe p ({ ms (25), ms (100), 40 });
  EXPECT_FALSE (p.next_probe ());
  p.on_failure (false, ms (1000));
  ASSERT_TRUE (p.next_probe ());
  EXPECT_EQ (*p.next_probe (), ms (1025));
  EXPECT_EQ (p.interval_at (ms (0)), ms (25));
  EXPECT_EQ (p.interval_at (ms (1000)), ms (25));
  EXPECT_EQ (p.interval_at (ms (2000)), ms (50));
  EXPECT_EQ (p.interval_at (ms (4000)), ms (100));
  EXPECT_EQ (p.interval_at (ms (600000)), ms (100));
}

TEST (ReachProbe, ProbesOverATenSecondOutageStayBounded)
{
  /* A dead server: every probe fails. Count the probes of a 10 s outage
   * with the element's defaults (documented in autorestoresink.md). */
  ReachProbe p ({ ms (25), ms (100), 40 });
  TimePoint now = ms (0);
  p.on_failure (false, now);
  int in_first_second = 0, total = 0;
  while (true) {
    TimePoint at = *p.next_probe ();
    if (at >= ms (10000))
      break;
    now = at;
    p.on_probe_started (now);
    EXPECT_FALSE (p.on_probe_result (false, now));
    total++;
    if (now < ms (1000))
      in_first_second++;
  }
  EXPECT_LE (in_first_second, 40);
  EXPECT_LE (total, 160);
  EXPECT_GE (total, 100);
  EXPECT_EQ (p.probes (), (std::uint64_t)total);
}

TEST (ReachProbe, ADownServerThatAcceptsAgainSkipsTheWait)
{
  ReachProbe p;
  p.on_failure (false, ms (0)); /* connection refused */
  EXPECT_TRUE (p.armed ());
  p.on_probe_started (ms (25));
  EXPECT_FALSE (p.next_probe ()); /* one probe at a time */
  EXPECT_TRUE (p.on_probe_result (true, ms (26)));
  /* Only once: the retry that follows decides again. */
  p.on_probe_started (ms (60));
  EXPECT_FALSE (p.on_probe_result (true, ms (61)));
}

TEST (ReachProbe, AServerThatAcceptsAndRefusesIsNotRetriedAtTheProbeRate)
{
  /* Accepted, then reset / garbage / HTTP 503: a successful probe is no
   * news. Issue 14 defect 5: this turned probes into a POST storm. */
  ReachProbe p;
  p.on_failure (true, ms (0));
  EXPECT_FALSE (p.armed ());
  /* Not probed at all: it accepts, probing adds connections only. */
  EXPECT_FALSE (p.next_probe ());
  /* A later attempt found it down: now probes run, and its return is
   * news. */
  p.on_failure (false, ms (3000));
  ASSERT_TRUE (p.next_probe ());
  p.on_probe_started (*p.next_probe ());
  EXPECT_FALSE (p.on_probe_result (false, ms (3030)));
  p.on_probe_started (*p.next_probe ());
  EXPECT_TRUE (p.on_probe_result (true, ms (3060)));
  /* Accepted again by the retry that follows, refused: no probes. */
  p.on_failure (true, ms (3070));
  EXPECT_FALSE (p.next_probe ());
}

TEST (ReachProbe, RetryAfterHoldsTheProbesBack)
{
  ReachProbe p;
  p.on_failure (false, ms (0), ms (5000));
  EXPECT_EQ (*p.next_probe (), ms (5000));
  p.reset ();
  EXPECT_FALSE (p.next_probe ());
  EXPECT_FALSE (p.active ());
}

TEST (FailureNotice, WarnsOnTheFirstFailureAndWhenTheReasonChangesOnly)
{
  FailureNotice n;
  EXPECT_TRUE (n.on_failure (FailureKind::ConnectFailed, "refused"));
  EXPECT_FALSE (n.on_failure (FailureKind::ConnectFailed, "refused"));
  EXPECT_FALSE (n.on_failure (FailureKind::ConnectFailed, "refused"));
  EXPECT_TRUE (n.on_failure (FailureKind::ConnectFailed, "reset by peer"));
  EXPECT_FALSE (n.on_failure (FailureKind::ConnectFailed, "reset by peer"));
  EXPECT_TRUE (n.on_failure (FailureKind::ServerLost, "reset by peer"));
  n.reset ();
  EXPECT_TRUE (n.on_failure (FailureKind::ServerLost, "reset by peer"));
}

TEST (FailureNotice, TheSameCauseFromAnotherStageIsNotANewReason)
{
  /* rtmp2sink reports a reset during the TCP connect and during the
   * handshake with different prefixes: one reason, one WARNING. */
  FailureNotice n;
  EXPECT_TRUE (n.on_failure (
      FailureKind::ConnectFailed,
      "Failed to connect: Could not connect to 127.0.0.1: Connection reset "
      "by peer"));
  EXPECT_FALSE (n.on_failure (
      FailureKind::ConnectFailed,
      "Failed to connect: Error receiving data: Connection reset by peer"));
  EXPECT_TRUE (n.on_failure (
      FailureKind::ConnectFailed,
      "Connection refused: Could not connect to 127.0.0.1: Connection "
      "refused"));
  EXPECT_EQ (FailureNotice::root_cause ("no colon"), "no colon");
}

TEST (FailureNotice, AResetABrokenPipeAndARemoteCloseAreOneReason)
{
  /* The same accepting-and-dropping server, seen while reading or while
   * writing: one WARNING, not one each time the scheduling differs. */
  FailureNotice n;
  EXPECT_TRUE (n.on_failure (FailureKind::ConnectFailed,
                             "Failed to connect: Error receiving data: "
                             "Connection reset by peer"));
  EXPECT_FALSE (n.on_failure (FailureKind::ConnectFailed,
                              "Failed to connect: Error sending data: "
                              "Broken pipe"));
  EXPECT_FALSE (n.on_failure (FailureKind::ConnectFailed,
                              "Failed to connect: Connection closed remotely"));
  EXPECT_TRUE (n.on_failure (FailureKind::ConnectFailed,
                             "Failed to connect: Could not connect to "
                             "127.0.0.1: Connection refused"));
}
