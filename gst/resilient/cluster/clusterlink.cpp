/* gst-resilient: what a Cluster's callbacks may reach of the
 * clusterresolver (clusterlink.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cluster/clusterlink.h"

namespace resilient::gst {

void
ClusterLink::attach (const std::shared_ptr<cluster::Cluster> &cluster,
                     GstElement *owner, ControlLoop &loop, EventFn on_event,
                     ResolveFn before_resolve)
{
  cluster_ = cluster;
  sink_ = std::make_shared<Sink> ();
  sink_->owner = owner;
  sink_->loop = &loop;
  sink_->on_event = std::move (on_event);
  sink_->before_resolve = std::move (before_resolve);
  std::shared_ptr<Sink> sink = sink_;
  cluster->set_observer ([sink] (const cluster::ClusterEvent &ev) {
    std::lock_guard<std::mutex> g (sink->lock);
    if (!sink->owner)
      return;
    /* the ControlLoop lock is innermost: posting with sink->lock held is
     * fine */
    sink->loop->post ([fn = sink->on_event, ev] { fn (ev); });
  });
  /* state-file writes run on the loop, not on the consumers' threads */
  cluster->set_write_executor ([sink] (std::function<void ()> fn) {
    {
      std::lock_guard<std::mutex> g (sink->lock);
      if (sink->owner && sink->loop->post (fn))
        return;
    }
    fn ();
  });
  cluster->set_resolve_hook ([sink] (const std::string &path) {
    GstElement *owner;
    ResolveFn fn;
    {
      std::lock_guard<std::mutex> g (sink->lock);
      owner = sink->owner;
      if (!owner)
        return;
      gst_object_ref (owner);
      fn = sink->before_resolve;
    }
    fn (path);
    gst_object_unref (owner);
  });
}

void
ClusterLink::detach ()
{
  if (!sink_)
    return;
  {
    std::lock_guard<std::mutex> g (sink_->lock);
    sink_->owner = nullptr;
  }
  cluster_->set_observer (nullptr);
  cluster_->set_resolve_hook (nullptr);
  cluster_->set_write_executor (nullptr);
  sink_.reset ();
  cluster_.reset ();
}

} // namespace resilient::gst
