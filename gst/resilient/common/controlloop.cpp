#include "common/controlloop.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace resilient::gst {

struct ControlLoop::Impl : std::enable_shared_from_this<ControlLoop::Impl>
{
  std::string name;
  GMainContext *context = nullptr;
  GMainLoop *loop = nullptr;
  GThread *thread = nullptr;

  mutable std::mutex lock;
  bool running = false;
  std::deque<Task> queue;
  GSource *drain_source = nullptr;
  TimerId next_timer = 1;
  struct Timer
  {
    GstClockID id;
    Task task;
  };
  std::map<TimerId, Timer> timers;

  static gboolean drain (gpointer data);
  static gpointer thread_main (gpointer data);
  static gboolean on_clock (GstClock * clock, GstClockTime time, GstClockID id,
      gpointer data);
  bool enqueue_locked (Task task);
  void fire_timer (TimerId id);
};

struct TimerRef
{
  std::weak_ptr<ControlLoop::Impl> impl;
  ControlLoop::TimerId id;
};

gpointer
ControlLoop::Impl::thread_main (gpointer data)
{
  /* The thread owns its own references: stop() may clear the members before
   * this thread has even started running. */
  auto *loop = static_cast<GMainLoop *> (data);
  GMainContext *context = g_main_loop_get_context (loop);
  g_main_context_push_thread_default (context);
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (context);
  g_main_loop_unref (loop);
  return nullptr;
}

gboolean
ControlLoop::Impl::drain (gpointer data)
{
  auto *self = static_cast<Impl *> (data);
  for (;;) {
    Task task;
    {
      std::lock_guard < std::mutex > guard (self->lock);
      if (self->queue.empty ()) {
        self->drain_source = nullptr;
        return G_SOURCE_REMOVE;
      }
      task = std::move (self->queue.front ());
      self->queue.pop_front ();
    }
    task ();
  }
}

bool
ControlLoop::Impl::enqueue_locked (Task task)
{
  if (!running)
    return false;
  queue.push_back (std::move (task));
  if (!drain_source) {
    drain_source = g_idle_source_new ();
    g_source_set_priority (drain_source, G_PRIORITY_DEFAULT);
    g_source_set_callback (drain_source, drain, this, nullptr);
    g_source_attach (drain_source, context);
    g_source_unref (drain_source);
  }
  return true;
}

void
ControlLoop::Impl::fire_timer (TimerId tid)
{
  std::lock_guard < std::mutex > guard (lock);
  auto it = timers.find (tid);
  if (it == timers.end ())
    return;
  /* Runs on the loop; the timer is only forgotten once its task runs, so a
   * cancel() in between still drops it. */
  std::weak_ptr < Impl > weak = weak_from_this ();
  enqueue_locked ([weak, tid] {
        auto impl = weak.lock ();
        if (!impl)
          return;
        Task task;
        {
          std::lock_guard < std::mutex > g (impl->lock);
          auto t = impl->timers.find (tid);
          if (t == impl->timers.end ())
            return;
          task = std::move (t->second.task);
          gst_clock_id_unref (t->second.id);
          impl->timers.erase (t);
        }
        task ();
      });
}

gboolean
ControlLoop::Impl::on_clock (GstClock *, GstClockTime, GstClockID,
    gpointer data)
{
  auto *ref = static_cast<TimerRef *> (data);
  if (auto impl = ref->impl.lock ())
    impl->fire_timer (ref->id);
  return TRUE;
}

ControlLoop::ControlLoop (const char *name) : impl_ (std::make_shared<Impl> ())
{
  impl_->name = name ? name : "resilient-ctl";
}

ControlLoop::~ControlLoop ()
{
  stop ();
}

void
ControlLoop::start ()
{
  std::lock_guard < std::mutex > guard (impl_->lock);
  if (impl_->running)
    return;
  impl_->context = g_main_context_new ();
  impl_->loop = g_main_loop_new (impl_->context, FALSE);
  impl_->running = true;
  impl_->thread = g_thread_new (impl_->name.c_str (), Impl::thread_main,
      g_main_loop_ref (impl_->loop));
}

void
ControlLoop::stop ()
{
  GThread *thread;
  GMainLoop *loop;
  GMainContext *context;
  std::map<TimerId, Impl::Timer> timers;
  std::deque<Task> dropped;
  {
    std::lock_guard < std::mutex > guard (impl_->lock);
    if (!impl_->running)
      return;
    g_return_if_fail (g_thread_self () != impl_->thread);
    impl_->running = false;
    timers.swap (impl_->timers);
    dropped.swap (impl_->queue);
    thread = std::exchange (impl_->thread, nullptr);
    loop = std::exchange (impl_->loop, nullptr);
    context = std::exchange (impl_->context, nullptr);
  }
  for (auto &[tid, t] : timers) {
    gst_clock_id_unschedule (t.id);
    gst_clock_id_unref (t.id);
  }
  /* Quit from inside the loop: a g_main_loop_quit() that lands before the
   * thread reaches g_main_loop_run() would be lost. */
  GSource *quit = g_idle_source_new ();
  g_source_set_priority (quit, G_PRIORITY_HIGH);
  g_source_set_callback (quit, [](gpointer l) -> gboolean {
        g_main_loop_quit (static_cast<GMainLoop *> (l));
        return G_SOURCE_REMOVE;
      }, loop, nullptr);
  g_source_attach (quit, context);
  g_source_unref (quit);
  g_thread_join (thread);
  /* The drain source may still be attached; destroying the context frees
   * it. Tasks queued but never run are destroyed here, outside the lock. */
  {
    std::lock_guard < std::mutex > guard (impl_->lock);
    impl_->drain_source = nullptr;
  }
  g_main_loop_unref (loop);
  g_main_context_unref (context);
  dropped.clear ();
}

bool
ControlLoop::running () const
{
  std::lock_guard < std::mutex > guard (impl_->lock);
  return impl_->running;
}

bool
ControlLoop::post (Task task)
{
  std::lock_guard < std::mutex > guard (impl_->lock);
  return impl_->enqueue_locked (std::move (task));
}

bool
ControlLoop::post_and_wait (Task task)
{
  if (on_loop_thread ()) {
    task ();
    return true;
  }
  /* The waiter may give up (loop stopped) while the task is still queued or
   * running, so the rendezvous lives on the heap, shared with the task. */
  struct Rendezvous
  {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
  };
  auto rv = std::make_shared<Rendezvous> ();
  bool posted = post ([rv, task = std::move (task)] {
        task ();
        std::lock_guard < std::mutex > g (rv->m);
        rv->done = true;
        rv->cv.notify_one ();
      });
  if (!posted)
    return false;
  std::unique_lock < std::mutex > g (rv->m);
  while (!rv->done) {
    if (rv->cv.wait_for (g, std::chrono::milliseconds (50),
            [&] { return rv->done; }))
      break;
    if (!running ())
      return false;
  }
  return true;
}

bool
ControlLoop::on_loop_thread () const
{
  std::lock_guard < std::mutex > guard (impl_->lock);
  return impl_->thread != nullptr && g_thread_self () == impl_->thread;
}

GMainContext *
ControlLoop::context () const
{
  std::lock_guard < std::mutex > guard (impl_->lock);
  return impl_->context;
}

ControlLoop::TimerId
ControlLoop::schedule_at (GstClock * clock, GstClockTime at, Task task)
{
  g_return_val_if_fail (GST_IS_CLOCK (clock), 0);
  GstClockID cid = gst_clock_new_single_shot_id (clock, at);
  TimerId tid;
  {
    std::lock_guard < std::mutex > guard (impl_->lock);
    if (!impl_->running) {
      gst_clock_id_unref (cid);
      return 0;
    }
    tid = impl_->next_timer++;
    impl_->timers.emplace (tid, Impl::Timer {cid, std::move (task)});
  }
  auto *ref = new TimerRef {impl_, tid};
  GstClockReturn ret = gst_clock_id_wait_async (cid, Impl::on_clock, ref,
      [](gpointer p) { delete static_cast<TimerRef *> (p); });
  if (ret != GST_CLOCK_OK) {
    cancel (tid);
    return 0;
  }
  return tid;
}

ControlLoop::TimerId
ControlLoop::schedule_in (GstClock * clock, GstClockTime delay, Task task)
{
  g_return_val_if_fail (GST_IS_CLOCK (clock), 0);
  return schedule_at (clock, gst_clock_get_time (clock) + delay,
      std::move (task));
}

void
ControlLoop::cancel (TimerId tid)
{
  GstClockID cid = nullptr;
  Task dropped;
  {
    std::lock_guard < std::mutex > guard (impl_->lock);
    auto it = impl_->timers.find (tid);
    if (it == impl_->timers.end ())
      return;
    cid = it->second.id;
    dropped = std::move (it->second.task);
    impl_->timers.erase (it);
  }
  gst_clock_id_unschedule (cid);
  gst_clock_id_unref (cid);
}

void
ControlLoop::cancel_all ()
{
  std::map<TimerId, Impl::Timer> timers;
  {
    std::lock_guard < std::mutex > guard (impl_->lock);
    timers.swap (impl_->timers);
  }
  for (auto &[tid, t] : timers) {
    gst_clock_id_unschedule (t.id);
    gst_clock_id_unref (t.id);
  }
}

}  // namespace resilient::gst
