/* gst-resilient: the thread every element makes its decisions on.
 *
 * Each element owns one ControlLoop: a dedicated thread with its own
 * GMainContext (as webrtcbin and souphttpsrc do). Streaming threads, the
 * clock thread and bus handlers never change a child's state or do HTTP;
 * they post a task here and return. Tasks run one at a time, in the order
 * they were posted, so the element's decisions need no further ordering.
 *
 * Timers are single-shot GstClockIDs waited on asynchronously; when one
 * fires, its task is posted to the loop (never run on the clock thread).
 * Pass the pipeline clock, or a GstTestClock in tests.
 *
 * Locking: the loop's own mutex guards only its queue and timer table and is
 * never held while a task or GLib/GStreamer call runs, so callers may hold
 * their own locks when posting. It is always the innermost lock.
 */
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <functional>
#include <memory>

namespace resilient::gst {

class ControlLoop
{
public:
  using Task = std::function<void ()>;
  using TimerId = std::uint64_t;

  /* `name` names the thread (visible in gdb and top -H). */
  explicit ControlLoop (const char *name);
  ~ControlLoop ();

  ControlLoop (const ControlLoop &) = delete;
  ControlLoop &operator= (const ControlLoop &) = delete;

  /* Starts the thread; a no-op when already running. */
  void start ();
  /* Cancels every timer, drops queued tasks and joins the thread. Must not be
   * called from the loop thread itself. A no-op when not running. */
  void stop ();
  bool running () const;

  /* Queues `task`; returns false (and drops it) when the loop is stopped. */
  bool post (Task task);
  /* Runs `task` on the loop and waits for it; runs it inline when called on
   * the loop thread. Returns false when the loop is stopped. */
  bool post_and_wait (Task task);

  bool on_loop_thread () const;
  GMainContext *context () const;

  /* Posts `task` when `clock` reaches the absolute time `at`. Returns 0 when
   * the loop is stopped or the clock refused the wait. */
  TimerId schedule_at (GstClock * clock, GstClockTime at, Task task);
  /* Same, `delay` from the clock's current time. */
  TimerId schedule_in (GstClock * clock, GstClockTime delay, Task task);
  /* Cancels a timer; harmless if it already fired or was cancelled. A task
   * already posted by the timer is dropped too. */
  void cancel (TimerId id);
  void cancel_all ();

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace resilient::gst
