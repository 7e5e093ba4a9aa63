#include "common/controlloop.h"

#include <gst/check/gsttestclock.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

using resilient::gst::ControlLoop;

/* Releases what is due on the test clock now; whether anything was. A
 * released timer posts its task to the loop from this thread, so a
 * post_and_wait afterwards has seen it run. */
static bool
release_due (GstClock *clock)
{
  GstClockID id = gst_test_clock_process_next_clock_id (GST_TEST_CLOCK (clock));
  if (!id)
    return false;
  gst_clock_id_unref (id);
  return true;
}

TEST (ControlLoop, RunsTasksInPostOrderOnItsOwnThread)
{
  ControlLoop loop ("test-ctl");
  loop.start ();
  std::vector<int> order;
  std::mutex m;
  GThread *caller = g_thread_self ();
  std::atomic<bool> other_thread {true};
  for (int i = 0; i < 100; i++) {
    loop.post ([&, i] {
          std::lock_guard < std::mutex > g (m);
          order.push_back (i);
          other_thread = other_thread && g_thread_self () != caller;
        });
  }
  ASSERT_TRUE (loop.post_and_wait ([] {}));
  std::lock_guard < std::mutex > g (m);
  ASSERT_EQ (order.size (), 100u);
  for (int i = 0; i < 100; i++)
    EXPECT_EQ (order[i], i);
  EXPECT_TRUE (other_thread);
}

TEST (ControlLoop, TimersFollowTheTestClock)
{
  GstClock *clock = gst_test_clock_new ();
  ControlLoop loop ("test-ctl");
  loop.start ();
  std::atomic<int> fired {0};
  loop.schedule_in (clock, 5 * GST_SECOND, [&] { fired++; });
  gst_test_clock_wait_for_next_pending_id (GST_TEST_CLOCK (clock), nullptr);
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), 4 * GST_SECOND);
  /* Nothing due at 4 s: the wait is still pending (asserted: crank below
   * waits for a pending wait). */
  ASSERT_FALSE (release_due (clock)) << "the 5 s timer was due at 4 s";
  ASSERT_EQ (gst_test_clock_peek_id_count (GST_TEST_CLOCK (clock)), 1u);
  loop.post_and_wait ([] {});
  EXPECT_EQ (fired, 0);
  /* crank releases the pending wait at its own time, 5 s */
  EXPECT_TRUE (gst_test_clock_crank (GST_TEST_CLOCK (clock)));
  EXPECT_EQ (gst_clock_get_time (clock), 5 * GST_SECOND);
  loop.post_and_wait ([] {});
  EXPECT_EQ (fired, 1);
  loop.stop ();
  gst_object_unref (clock);
}

TEST (ControlLoop, CancelledTimerNeverRuns)
{
  GstClock *clock = gst_test_clock_new ();
  ControlLoop loop ("test-ctl");
  loop.start ();
  std::atomic<int> fired {0};
  auto id = loop.schedule_in (clock, GST_SECOND, [&] { fired++; });
  ASSERT_NE (id, 0u);
  loop.cancel (id);
  EXPECT_FALSE (gst_test_clock_peek_next_pending_id (GST_TEST_CLOCK (clock),
          nullptr));
  gst_test_clock_set_time (GST_TEST_CLOCK (clock), 2 * GST_SECOND);
  EXPECT_FALSE (release_due (clock)) << "the cancelled wait was released";
  loop.post_and_wait ([] {});
  EXPECT_EQ (fired, 0);
  loop.stop ();
  gst_object_unref (clock);
}

TEST (ControlLoop, StopDropsPendingWorkAndRefusesNewWork)
{
  GstClock *clock = gst_test_clock_new ();
  ControlLoop loop ("test-ctl");
  loop.start ();
  std::atomic<int> fired {0};
  loop.schedule_in (clock, GST_SECOND, [&] { fired++; });
  loop.stop ();
  EXPECT_FALSE (loop.post ([&] { fired++; }));
  EXPECT_EQ (loop.schedule_in (clock, GST_SECOND, [&] { fired++; }), 0u);
  gst_test_clock_set_time (GST_TEST_CLOCK (clock), 5 * GST_SECOND);
  EXPECT_FALSE (release_due (clock)) << "stop left a wait on the clock";
  EXPECT_EQ (fired, 0);
  /* and it can start again */
  loop.start ();
  EXPECT_TRUE (loop.post_and_wait ([&] { fired = 7; }));
  EXPECT_EQ (fired, 7);
  gst_object_unref (clock);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
