#include "common/controlloop.h"

#include <gst/check/gsttestclock.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using resilient::gst::ControlLoop;

static bool
wait_for (const std::function<bool ()> &cond, int timeout_ms = 2000)
{
  auto end = std::chrono::steady_clock::now ()
      + std::chrono::milliseconds (timeout_ms);
  while (std::chrono::steady_clock::now () < end) {
    if (cond ())
      return true;
    std::this_thread::sleep_for (std::chrono::milliseconds (2));
  }
  return cond ();
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
  std::this_thread::sleep_for (std::chrono::milliseconds (20));
  loop.post_and_wait ([] {});
  EXPECT_EQ (fired, 0);
  /* crank releases the pending wait at its own time, 5 s */
  EXPECT_TRUE (gst_test_clock_crank (GST_TEST_CLOCK (clock)));
  EXPECT_EQ (gst_clock_get_time (clock), 5 * GST_SECOND);
  EXPECT_TRUE (wait_for ([&] { return fired == 1; }));
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
  loop.post_and_wait ([] {});
  std::this_thread::sleep_for (std::chrono::milliseconds (20));
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
  std::this_thread::sleep_for (std::chrono::milliseconds (20));
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
