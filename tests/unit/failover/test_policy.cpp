#include "resilient/failover/policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace resilient;
using namespace resilient::failover;

namespace {

PolicyConfig
config (Standby standby = Standby::Cold)
{
  PolicyConfig c;
  c.standby = standby;
  c.backoff.initial = ms (500);
  c.backoff.max = ms (8000);
  c.backoff.jitter = 0.0;
  c.failback_holdoff = ms (5000);
  return c;
}

/* Carries out the policy's actions the way the element does and keeps a log. */
struct Sim
{
  FailoverPolicy p;
  std::set<int> running;
  std::vector<Action> log;
  int switches = 0;
  /* Running candidates that deliver no new content (frozen picture). */
  std::set<int> frozen;
  TimePoint last_step{};

  Sim (PolicyConfig c, std::size_t n) : p (c, n) {}

  void apply (const std::vector<Action> &acts)
  {
    for (auto &a : acts) {
      log.push_back (a);
      if (a.kind == Action::Kind::Start) {
        EXPECT_FALSE (running.count (a.index)) << "started twice " << a.index;
        running.insert (a.index);
      } else if (a.kind == Action::Kind::Stop) {
        running.erase (a.index);
      } else if (a.kind == Action::Kind::Switch) {
        switches++;
      }
    }
  }
  /* Like the element's health tick: every running candidate reports the
   * content it delivered since the previous tick (none when frozen). */
  void step (TimePoint now)
  {
    Duration since = now > last_step ? now - last_step : Duration::zero ();
    for (int i : running)
      p.on_content (i, now, frozen.count (i) ? Duration::zero () : since);
    last_step = now;
    apply (p.step (now));
  }
  void fail (int i, FailureReason r, TimePoint now, bool fatal = false,
             TimePoint first = TimePoint (-1))
  {
    apply (p.on_failure (i, r, fatal, "detail",
                         first.count () < 0 ? now : first, now));
  }
  void healthy (int i, TimePoint now)
  {
    p.on_healthy (i, now);
    step (now);
  }
  const Action *last (Action::Kind k) const
  {
    for (auto it = log.rbegin (); it != log.rend (); ++it)
      if (it->kind == k)
        return &*it;
    return nullptr;
  }
  int count (Action::Kind k) const
  {
    return std::count_if (log.begin (), log.end (),
                          [k] (const Action &a) { return a.kind == k; });
  }
};

} // namespace

TEST (Policy, ColdStartRunsOnlyTheFirstCandidate)
{
  Sim s (config (), 3);
  s.step (ms (0));
  EXPECT_EQ (s.running, (std::set<int>{ 0 }));
  EXPECT_EQ (s.p.active (), -1);
  s.healthy (0, ms (400));
  EXPECT_EQ (s.p.active (), 0);
  ASSERT_NE (s.last (Action::Kind::Switch), nullptr);
  EXPECT_EQ (s.last (Action::Kind::Switch)->from, -1);
  EXPECT_EQ (s.last (Action::Kind::Switch)->reason, "start");
  EXPECT_EQ (s.running, (std::set<int>{ 0 }));
}

TEST (Policy, HotStandbyKeepsTheNextCandidateRunning)
{
  Sim s (config (Standby::Hot), 3);
  s.step (ms (0));
  EXPECT_EQ (s.running, (std::set<int>{ 0, 1 }));
  s.healthy (1, ms (300));
  s.step (ms (1500));
  EXPECT_EQ (s.p.active (), 1)
      << "after the startup grace, whatever is healthy";
  s.healthy (0, ms (1600));
  /* 0 is better but only healthy for 0 ms: hold-off applies. */
  EXPECT_EQ (s.p.active (), 1);
  s.step (ms (6599));
  EXPECT_EQ (s.p.active (), 1);
  s.step (ms (6600));
  EXPECT_EQ (s.p.active (), 0);
  EXPECT_EQ (s.last (Action::Kind::Switch)->reason, "failback");
  EXPECT_EQ (s.running, (std::set<int>{ 0, 1 }));
}

/* Warm standby runs the same candidates as hot (only the element decodes
 * them differently). */
TEST (Policy, WarmStandbyKeepsTheNextCandidateRunning)
{
  Sim s (config (Standby::Warm), 3);
  s.step (ms (0));
  EXPECT_EQ (s.running, (std::set<int>{ 0, 1 })) << "on filler: two run";
  s.healthy (0, ms (400));
  EXPECT_EQ (s.p.active (), 0);
  s.step (ms (500));
  EXPECT_EQ (s.running, (std::set<int>{ 0, 1 }));
  s.fail (0, FailureReason::Eos, ms (600));
  EXPECT_EQ (s.p.active (), -1) << "1 is not healthy yet";
  s.healthy (1, ms (700));
  EXPECT_EQ (s.p.active (), 1);
  s.step (ms (800));
  EXPECT_EQ (s.running, (std::set<int>{ 1, 2 }))
      << "the next one after the active runs, 0 waits for its retry";
}

TEST (Policy, EventFailureSwitchesAtOnceToTheHotStandby)
{
  Sim s (config (Standby::Hot), 3);
  s.step (ms (0));
  s.healthy (0, ms (100));
  s.healthy (1, ms (150));
  ASSERT_EQ (s.p.active (), 0);
  s.fail (0, FailureReason::Eos, ms (10000));
  EXPECT_EQ (s.p.active (), 1);
  auto *sw = s.last (Action::Kind::Switch);
  EXPECT_EQ (sw->from, 0);
  EXPECT_EQ (sw->to, 1);
  EXPECT_EQ (sw->reason, "eos");
  EXPECT_EQ (sw->detect, ms (0));
  /* 0 waits for its retry, 2 becomes the new hot standby. */
  EXPECT_EQ (s.p.state (0), CandidateState::Waiting);
  EXPECT_EQ (s.running, (std::set<int>{ 1, 2 }));
  EXPECT_EQ (s.last (Action::Kind::CandidateFailed)->index, 0);
  EXPECT_EQ (s.last (Action::Kind::Retry)->delay, ms (500));
}

TEST (Policy, ColdFailureGoesToFillerThenTheNextCandidate)
{
  Sim s (config (), 2);
  s.step (ms (0));
  s.healthy (0, ms (100));
  s.fail (0, FailureReason::Timeout, ms (5000), false, ms (3000));
  EXPECT_EQ (s.p.active (), -1);
  EXPECT_EQ (s.last (Action::Kind::Switch)->detect, ms (2000));
  EXPECT_EQ (s.last (Action::Kind::Switch)->reason, "timeout");
  EXPECT_EQ (s.running, (std::set<int>{ 1 }));
  s.healthy (1, ms (5300));
  EXPECT_EQ (s.p.active (), 1);
  /* the backup takes over because the primary timed out */
  EXPECT_EQ (s.last (Action::Kind::Switch)->reason, "timeout");
  EXPECT_EQ (s.last (Action::Kind::Switch)->cause_index, 0);
  /* The primary is retried in the background while on the backup. */
  s.step (ms (5499));
  EXPECT_FALSE (s.running.count (0));
  s.step (ms (5500));
  EXPECT_TRUE (s.running.count (0));
}

TEST (Policy, RetriesBackOffExponentiallyAndGiveUpWhenBounded)
{
  auto c = config ();
  c.backoff.max_attempts = 3;
  Sim s (c, 2);
  TimePoint t = ms (0);
  s.step (t);
  std::vector<Duration> delays;
  for (int i = 0; i < 4; i++) {
    ASSERT_TRUE (s.running.count (0)) << i;
    s.fail (0, FailureReason::Error, t);
    if (auto *r = s.last (Action::Kind::Retry);
        r && s.p.state (0) == CandidateState::Waiting) {
      delays.push_back (r->delay);
      t += r->delay;
      s.step (t);
    }
  }
  EXPECT_EQ (delays, (std::vector<Duration>{ ms (500), ms (1000), ms (2000) }));
  EXPECT_EQ (s.p.state (0), CandidateState::GivenUp);
  auto *g = s.last (Action::Kind::GiveUp);
  ASSERT_NE (g, nullptr);
  EXPECT_FALSE (g->fatal);
  EXPECT_EQ (g->attempt, 3);
  EXPECT_EQ (s.count (Action::Kind::Retry), 3);
  /* The backup carries on. */
  EXPECT_TRUE (s.running.count (1));
}

/* A server's Retry-After (e.g. a WHEP 503) is a floor of the next retry:
 * the delay is at least the floor, and the backoff goes on from there. */
TEST (Policy, RetryFloorDelaysTheNextRetryOnly)
{
  Sim s (config (), 2);
  TimePoint t = ms (0);
  s.step (t);
  s.apply (
      s.p.on_failure (0, FailureReason::Error, false, "503", t, t, ms (3000)));
  auto *r = s.last (Action::Kind::Retry);
  ASSERT_NE (r, nullptr);
  EXPECT_EQ (r->delay, ms (3000));
  EXPECT_EQ (s.p.state (0), CandidateState::Waiting);
  /* Not restarted before the floor. */
  s.step (t + ms (2900));
  EXPECT_FALSE (s.running.count (0));
  t += ms (3000);
  s.step (t);
  ASSERT_TRUE (s.running.count (0));
  /* The floor was used up: the next failure backs off normally (second
   * delay of 500 ms doubling). */
  s.fail (0, FailureReason::Error, t);
  r = s.last (Action::Kind::Retry);
  ASSERT_NE (r, nullptr);
  EXPECT_EQ (r->delay, ms (1000));
  /* A floor below the backoff delay changes nothing. */
  t += r->delay;
  s.step (t);
  ASSERT_TRUE (s.running.count (0));
  s.apply (
      s.p.on_failure (0, FailureReason::Error, false, "503", t, t, ms (100)));
  EXPECT_EQ (s.last (Action::Kind::Retry)->delay, ms (2000));
  /* A fatal failure is not retried whatever the floor. */
  t += ms (2000);
  s.step (t);
  ASSERT_TRUE (s.running.count (0));
  s.apply (
      s.p.on_failure (0, FailureReason::Error, true, "401", t, t, ms (5000)));
  EXPECT_EQ (s.p.state (0), CandidateState::GivenUp);
}

TEST (Policy, FatalFailureGivesUpWithoutRetrying)
{
  Sim s (config (), 2);
  s.step (ms (0));
  s.fail (0, FailureReason::Error, ms (50), true);
  EXPECT_EQ (s.p.state (0), CandidateState::GivenUp);
  EXPECT_EQ (s.count (Action::Kind::Retry), 0);
  ASSERT_NE (s.last (Action::Kind::GiveUp), nullptr);
  EXPECT_TRUE (s.last (Action::Kind::GiveUp)->fatal);
  EXPECT_EQ (s.running, (std::set<int>{ 1 }));
  /* Never restarted, however long we wait. */
  for (int t = 100; t < 120000; t += 1000)
    s.step (ms (t));
  EXPECT_FALSE (s.running.count (0));
  EXPECT_EQ (s.p.first_usable (), 1);
}

TEST (Policy, RejectedCandidateIsSkipped)
{
  Sim s (config (), 3);
  s.apply (s.p.reject (0, FailureReason::BadUri, "not a URI"));
  s.apply (
      s.p.reject (1, FailureReason::Unsupported, "no source for nosuch://"));
  EXPECT_EQ (s.last (Action::Kind::GiveUp)->reason, "unsupported");
  s.step (ms (0));
  EXPECT_EQ (s.running, (std::set<int>{ 2 }));
  EXPECT_FALSE (s.p.all_given_up ());
  s.apply (s.p.reject (2, FailureReason::BadUri, "x"));
  EXPECT_TRUE (s.p.all_given_up ());
}

TEST (Policy, FailbackWaitsForTheHoldoffOfContinuousHealth)
{
  Sim s (config (), 2);
  s.step (ms (0));
  s.healthy (0, ms (100));
  s.fail (0, FailureReason::Error, ms (1000));
  s.healthy (1, ms (1200));
  ASSERT_EQ (s.p.active (), 1);
  s.step (ms (1500)); /* retry of 0 due */
  ASSERT_TRUE (s.running.count (0));
  s.healthy (0, ms (1800));
  s.step (ms (6700));
  EXPECT_EQ (s.p.active (), 1) << "healthy for 4.9 s only";
  s.step (ms (6800));
  EXPECT_EQ (s.p.active (), 0);
  EXPECT_EQ (s.last (Action::Kind::Switch)->reason, "failback");
  /* Cold standby: the backup is stopped once we are back. */
  EXPECT_EQ (s.running, (std::set<int>{ 0 }));
}

TEST (Policy, NoFailbackWhenDisabled)
{
  auto c = config ();
  c.auto_failback = false;
  Sim s (c, 2);
  s.step (ms (0));
  s.healthy (0, ms (100));
  s.fail (0, FailureReason::Error, ms (1000));
  s.healthy (1, ms (1200));
  for (int t = 1300; t < 60000; t += 500)
    s.step (ms (t));
  EXPECT_EQ (s.p.active (), 1);
  EXPECT_FALSE (s.running.count (0)) << "nothing to fail back to: not run";
}

TEST (Policy, FlappingPrimaryDoesNotMakeTheOutputFlap)
{
  Sim s (config (Standby::Hot), 2);
  s.step (ms (0));
  s.healthy (1, ms (50)); /* backup up, stays up */
  TimePoint t = ms (0);
  /* Primary: comes up, stays healthy for 6 s, dies; 20 cycles. */
  int failbacks = 0;
  for (int cycle = 0; cycle < 20; cycle++) {
    while (!s.running.count (0)) {
      t += ms (100);
      s.step (t);
    }
    s.healthy (0, t);
    TimePoint up = t;
    while (t < up + ms (6000)) {
      t += ms (100);
      int before = s.p.active ();
      s.step (t);
      if (before != 0 && s.p.active () == 0)
        failbacks++;
    }
    s.fail (0, FailureReason::Error, t);
  }
  /* Without growth it would fail back every cycle (6 s > 5 s hold-off). */
  EXPECT_LE (failbacks, 3);
  EXPECT_GT (s.p.holdoff (0), ms (5000));
  EXPECT_EQ (s.p.active (), 1);
}

TEST (Policy, HoldoffGrowthDecaysAfterLongHealth)
{
  Sim s (config (Standby::Hot), 2);
  s.step (ms (0));
  s.healthy (0, ms (0));
  s.healthy (1, ms (0));
  TimePoint t = ms (0);
  for (int i = 0; i < 2; i++) {
    s.fail (0, FailureReason::Error, t);
    while (s.p.active () != 0) {
      t += ms (100);
      s.step (t);
      if (s.running.count (0) && s.p.state (0) == CandidateState::Starting)
        s.healthy (0, t);
    }
    t += ms (100);
  }
  ASSERT_GT (s.p.holdoff (0), ms (5000));
  Duration h = s.p.holdoff (0);
  t += 4 * h;
  s.step (t);
  EXPECT_EQ (s.p.holdoff (0), ms (5000));
}

TEST (Policy, ManualSwitchPinsACandidate)
{
  Sim s (config (Standby::Hot), 3);
  s.step (ms (0));
  s.healthy (0, ms (10));
  s.healthy (1, ms (10));
  ASSERT_EQ (s.p.active (), 0);
  EXPECT_FALSE (s.p.request (3));
  EXPECT_FALSE (s.p.request (-2));
  ASSERT_TRUE (s.p.request (2));
  s.step (ms (100));
  EXPECT_TRUE (s.running.count (2)) << "the chosen candidate is started";
  EXPECT_EQ (s.p.active (), 0) << "and used only once it is healthy";
  s.healthy (2, ms (400));
  EXPECT_EQ (s.p.active (), 2);
  EXPECT_EQ (s.last (Action::Kind::Switch)->reason, "manual");
  /* Automatic failback does not override the manual choice. */
  for (int t = 500; t < 30000; t += 500)
    s.step (ms (t));
  EXPECT_EQ (s.p.active (), 2);
  /* Back to automatic: failback to 0 after its hold-off. */
  ASSERT_TRUE (s.p.request (-1));
  s.step (ms (30100));
  EXPECT_EQ (s.p.active (), 0);
  EXPECT_EQ (s.last (Action::Kind::Switch)->reason, "failback");
}

TEST (Policy, ManualSwitchToAGivenUpCandidateIsRefused)
{
  Sim s (config (), 2);
  s.apply (s.p.reject (1, FailureReason::Unsupported, "x"));
  EXPECT_FALSE (s.p.request (1));
  EXPECT_TRUE (s.p.request (0));
}

TEST (Policy, StaleFailureReportsAreIgnored)
{
  Sim s (config (), 2);
  s.step (ms (0));
  s.healthy (0, ms (10));
  EXPECT_TRUE (
      s.p.on_failure (1, FailureReason::Error, false, "", ms (20), ms (20))
          .empty ());
  EXPECT_TRUE (
      s.p.on_failure (7, FailureReason::Error, false, "", ms (20), ms (20))
          .empty ());
  EXPECT_EQ (s.p.active (), 0);
}

TEST (Policy, BackoffResetsAfterStableHealth)
{
  Sim s (config (), 1);
  TimePoint t = ms (0);
  s.step (t);
  for (int i = 0; i < 3; i++) {
    s.fail (0, FailureReason::Error, t);
    t += s.last (Action::Kind::Retry)->delay;
    s.step (t);
  }
  EXPECT_EQ (s.last (Action::Kind::Retry)->delay, ms (2000));
  s.healthy (0, t);
  t += ms (5000);
  s.step (t);
  s.fail (0, FailureReason::Error, t);
  EXPECT_EQ (s.last (Action::Kind::Retry)->delay, ms (500));
}

TEST (Policy, AtStartupThePrimaryGetsAGraceToWinTheRace)
{
  Sim s (config (Standby::Hot), 2);
  s.step (ms (0));
  s.healthy (1, ms (200));
  EXPECT_EQ (s.p.active (), -1) << "primary still starting within the grace";
  s.healthy (0, ms (600));
  EXPECT_EQ (s.p.active (), 0);
  EXPECT_EQ (s.count (Action::Kind::Switch), 1);
}

TEST (Policy, StartupGraceEndsWhenThePrimaryIsSlow)
{
  Sim s (config (Standby::Hot), 2);
  s.step (ms (0));
  s.healthy (1, ms (200));
  s.step (ms (1400));
  EXPECT_EQ (s.p.active (), -1);
  s.step (ms (1500));
  EXPECT_EQ (s.p.active (), 1);
}

/* Hot standby: the backup is on the output after the primary failed; the
 * primary is restarted and healthy again. Returns that time. */
static TimePoint
primary_back_beside_the_backup (Sim &s)
{
  s.step (ms (0));
  s.healthy (1, ms (50));
  s.healthy (0, ms (100));
  s.fail (0, FailureReason::Timeout, ms (200));
  EXPECT_EQ (s.p.active (), 1);
  TimePoint t = ms (200);
  while (!s.running.count (0)) {
    t += ms (100);
    s.step (t);
  }
  s.healthy (0, t);
  return t;
}

/* Issue 14.7: an HLS primary whose playlist is fine but whose segments stall
 * halfway is "healthy" to the adaptive timeout (no failure), yet half of its
 * airtime is a frozen picture. It must never win a failback. */
TEST (Policy, HalfDeadPrimaryDeliveringHalfItsContentNeverFailsBack)
{
  Sim s (config (Standby::Hot), 2);
  TimePoint t = primary_back_beside_the_backup (s);
  /* 1 s of new frames, then 1 s frozen, for 90 s. */
  TimePoint end = t + ms (90000);
  int switches_before = s.switches;
  while (t < end) {
    t += ms (100);
    bool frozen = ((t.count () / 1000000) / 1000) % 2 == 1;
    if (frozen)
      s.frozen.insert (0);
    else
      s.frozen.erase (0);
    s.step (t);
  }
  EXPECT_EQ (s.p.active (), 1) << "the backup stays on the output";
  EXPECT_EQ (s.switches, switches_before) << "no failback to frozen content";
}

TEST (Policy, AFreezeDuringTheHoldoffRestartsTheProof)
{
  Sim s (config (Standby::Hot), 2);
  TimePoint t = primary_back_beside_the_backup (s);
  TimePoint up = t;
  /* 3 s of content, 2 s frozen, then steady. */
  TimePoint failback{ -1 };
  while (t < up + ms (20000) && failback.count () < 0) {
    t += ms (100);
    if (t > up + ms (3000) && t <= up + ms (5000))
      s.frozen.insert (0);
    else
      s.frozen.erase (0);
    s.step (t);
    if (s.p.active () == 0)
      failback = t;
  }
  ASSERT_GE (failback.count (), 0) << "a steady primary fails back";
  EXPECT_EQ (s.last (Action::Kind::Switch)->reason, "failback");
  /* the proof started again after the freeze: 5 s hold-off from ~5 s */
  EXPECT_GE (failback - up, ms (9900));
  EXPECT_LE (failback - up, ms (10600));
}

TEST (Policy, RepeatedFailuresSoonAfterComingUpLengthenTheHoldoff)
{
  /* Cold standby: the primary comes back, delivers 2 s and stalls, again and
   * again; it was never failed back to, yet its hold-off grows. */
  Sim s (config (), 2);
  s.step (ms (0));
  s.healthy (0, ms (100));
  TimePoint t = ms (100);
  for (int i = 0; i < 3; i++) {
    t += ms (2000);
    s.fail (0, FailureReason::Timeout, t);
    if (s.p.active () < 0) {
      t += ms (100);
      s.step (t);
      if (s.p.state (1) == CandidateState::Starting)
        s.healthy (1, t);
    }
    while (!s.running.count (0)) {
      t += ms (100);
      s.step (t);
    }
    s.healthy (0, t);
  }
  EXPECT_EQ (s.p.holdoff (0), ms (20000))
      << "5 s, doubled at the second and third quick failure in a row";
  EXPECT_EQ (s.p.active (), 1);
  EXPECT_EQ (s.last (Action::Kind::Switch)->reason, "timeout")
      << "the backup took over because of the primary's timeout";
}

TEST (Policy, SwitchReasonsSayWhyTheOutputMoved)
{
  Sim s (config (), 2);
  s.step (ms (0));
  s.healthy (0, ms (100));
  auto *sw = s.last (Action::Kind::Switch);
  EXPECT_EQ (sw->why, SwitchReason::Start);
  EXPECT_EQ (sw->reason, "start");
  s.fail (0, FailureReason::Eos, ms (1000));
  sw = s.last (Action::Kind::Switch);
  EXPECT_EQ (sw->to, -1);
  EXPECT_EQ (sw->why, SwitchReason::Failure);
  EXPECT_EQ (sw->cause, FailureReason::Eos);
  /* Cold: the backup starts and takes over; that move is the failover the
   * primary's EOS caused, not a recovery. */
  s.step (ms (1100));
  s.healthy (1, ms (1300));
  sw = s.last (Action::Kind::Switch);
  ASSERT_EQ (sw->to, 1);
  EXPECT_EQ (sw->why, SwitchReason::Failure);
  EXPECT_EQ (sw->cause, FailureReason::Eos);
  EXPECT_EQ (sw->cause_index, 0);
  EXPECT_EQ (sw->reason, "eos");
  /* The backup fails too; the primary comes back first: recovered. */
  s.fail (1, FailureReason::Error, ms (1400));
  s.step (ms (2000));
  s.healthy (0, ms (2100));
  s.healthy (0, ms (2100));
  for (TimePoint t = ms (1500); t < ms (3000) && s.p.active () < 0;
       t += ms (100)) {
    s.step (t);
    if (s.running.count (0) && s.p.state (0) == CandidateState::Starting)
      s.healthy (0, t);
  }
  sw = s.last (Action::Kind::Switch);
  ASSERT_EQ (sw->to, 0);
  EXPECT_EQ (sw->why, SwitchReason::Failure)
      << "the backup's failure moved the output back to the primary";
  EXPECT_EQ (sw->cause_index, 1);
}

TEST (Policy, ASuspectedStallPreparesTheColdBackupForTheLinger)
{
  Sim s (config (), 3);
  s.step (ms (0));
  s.healthy (0, ms (400));
  ASSERT_EQ (s.p.active (), 0);
  EXPECT_EQ (s.running, (std::set<int>{ 0 }));
  /* Not the active one: nothing to prepare. */
  s.p.on_suspect (1, ms (1000));
  s.step (ms (1000));
  EXPECT_EQ (s.running, (std::set<int>{ 0 }));
  /* The active one goes quiet: the next candidate starts, no switch. */
  s.p.on_suspect (0, ms (2000));
  s.step (ms (2000));
  EXPECT_EQ (s.running, (std::set<int>{ 0, 1 }));
  EXPECT_EQ (s.p.active (), 0);
  EXPECT_EQ (s.switches, 1);
  /* Confirmed: the prepared backup takes over as soon as it is healthy. */
  s.healthy (1, ms (2500));
  s.fail (0, FailureReason::Timeout, ms (2600));
  s.step (ms (2600));
  EXPECT_EQ (s.p.active (), 1);
  EXPECT_EQ (s.last (Action::Kind::Switch)->reason, "timeout");
}

TEST (Policy, APreparedBackupStopsAfterTheLingerWhenThePrimaryRecovered)
{
  Sim s (config (), 2);
  s.step (ms (0));
  s.healthy (0, ms (400));
  s.p.on_suspect (0, ms (1000));
  s.step (ms (1000));
  EXPECT_TRUE (s.p.preparing (ms (1000)));
  EXPECT_EQ (s.running, (std::set<int>{ 0, 1 }));
  s.healthy (1, ms (1500));
  s.step (ms (10999));
  EXPECT_EQ (s.running, (std::set<int>{ 0, 1 }));
  s.step (ms (11000));
  EXPECT_FALSE (s.p.preparing (ms (11000)));
  EXPECT_EQ (s.running, (std::set<int>{ 0 }));
  EXPECT_EQ (s.p.active (), 0);
  EXPECT_EQ (s.switches, 1);
}
