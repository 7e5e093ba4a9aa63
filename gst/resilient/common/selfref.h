/* gst-resilient: a reference to an element held by a ControlLoop task.
 *
 * A task posted to the loop, or a timer's task, that uses the element must
 * keep it alive until it runs; but a task can also be dropped without
 * running (timer cancelled, loop stopped). A raw gst_object_ref() taken
 * before posting and released at the end of the task then leaks the
 * element, and with it everything it owns. A SelfRef captured by value in
 * the task releases the reference in either case.
 *
 * Elements stop their loop on READY->NULL, before the application can drop
 * its last reference, so the last unref never happens on the loop.
 */
#pragma once

#include <gst/gst.h>

namespace resilient::gst {

template <typename T> struct SelfRef
{
  T *p;
  explicit SelfRef (T *self) : p (static_cast<T *> (gst_object_ref (self))) {}
  SelfRef (const SelfRef &o) : p (static_cast<T *> (gst_object_ref (o.p))) {}
  SelfRef &operator= (const SelfRef &) = delete;
  ~SelfRef () { gst_object_unref (p); }
};

/* A GstMessage (or any mini object) owned by a task, released whether the
 * task runs or is dropped. */
struct MessageRef
{
  GstMessage *m;
  explicit MessageRef (GstMessage *msg) : m (gst_message_ref (msg)) {}
  MessageRef (const MessageRef &o) : m (gst_message_ref (o.m)) {}
  MessageRef &operator= (const MessageRef &) = delete;
  ~MessageRef () { gst_message_unref (m); }
};

} // namespace resilient::gst
