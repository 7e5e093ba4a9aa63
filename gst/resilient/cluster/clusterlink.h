/* gst-resilient: what a Cluster's callbacks may reach of the
 * clusterresolver (clusterlink.cpp).
 *
 * The Cluster outlives the element when a consumer still holds it, so its
 * callbacks reach the element only through a shared sink that `detach`
 * empties: events go to the element's loop, state-file writes run on the
 * loop (else at once), and the resolve hook runs on the consumer's thread
 * with a reference to the element. Owns the sink and the link to the
 * Cluster. attach from init, detach from dispose.
 *
 * Lock order: the sink's lock, then the ControlLoop's (innermost).
 */
#pragma once

#include "common/controlloop.h"
#include "resilient/cluster/cluster.h"

#include <gst/gst.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace resilient::gst {

class ClusterLink
{
public:
  using EventFn = std::function<void (const cluster::ClusterEvent &)>;
  using ResolveFn = std::function<void (const std::string &path)>;

  ClusterLink () = default;
  ClusterLink (const ClusterLink &) = delete;
  ClusterLink &operator= (const ClusterLink &) = delete;

  /* `on_event` runs on `loop`; `before_resolve` on the consumer's thread
   * while `owner` is alive (a reference held). */
  void attach (const std::shared_ptr<cluster::Cluster> &cluster,
               GstElement *owner, ControlLoop &loop, EventFn on_event,
               ResolveFn before_resolve);
  /* Nothing reaches the owner from now on; the Cluster's hooks cleared. */
  void detach ();
  bool attached () const { return sink_ != nullptr; }

private:
  struct Sink
  {
    std::mutex lock;
    GstElement *owner = nullptr;
    ControlLoop *loop = nullptr;
    EventFn on_event;
    ResolveFn before_resolve;
  };
  std::shared_ptr<Sink> sink_;
  std::shared_ptr<cluster::Cluster> cluster_;
};

} // namespace resilient::gst
