#include "server/answerer.h"

#include "server/util.h"

#include "common/localsdp.h"
#include "common/promise.h"

#include <gst/webrtc/webrtc.h>

#include <memory>

namespace resilient::gst::server {

namespace {

struct Job
{
  ControlLoop *loop;
  GWeakRef webrtc;
  unsigned gather_timeout_ms;
  std::function<bool ()> prepare;
  std::function<void (const AnswerResult &)> done;
  bool local_set = false;
  bool finished = false;
  ControlLoop::TimerId timer = 0;
  gulong notify = 0;

  Job () { g_weak_ref_init (&webrtc, nullptr); }
  ~Job () { g_weak_ref_clear (&webrtc); }
};
using JobPtr = std::shared_ptr<Job>;

const GDestroyNotify free_job = delete_data<JobPtr>;
const GClosureNotify free_job_closure = delete_closure_data<JobPtr>;

/* Loop thread: the one end of a job (later calls do nothing). */
void
finish (const JobPtr &job, int status, const std::string &error)
{
  if (job->finished)
    return;
  GstElement *webrtc = GST_ELEMENT (g_weak_ref_get (&job->webrtc));
  if (!webrtc)
    return; /* the session is gone */
  job->finished = true;
  if (job->timer)
    job->loop->cancel (job->timer);
  if (job->notify)
    g_signal_handler_disconnect (webrtc, job->notify);
  AnswerResult r;
  r.status = status;
  r.error = error;
  if (status == 0) {
    r.answer = local_sdp (webrtc);
    if (r.answer.empty ()) {
      r.status = 500;
      r.error = "webrtcbin produced no answer";
    }
  }
  gst_object_unref (webrtc);
  auto done = std::move (job->done);
  job->prepare = nullptr;
  done (r);
}

/* Posts `step` to the job's loop; it runs only if the webrtcbin lives. */
template <typename Step>
void
on_loop (gpointer data, Step step)
{
  JobPtr job = *static_cast<JobPtr *> (data);
  job->loop->post ([job, step] {
    if (job->finished)
      return;
    GstElement *webrtc = GST_ELEMENT (g_weak_ref_get (&job->webrtc));
    if (!webrtc)
      return;
    step (job, webrtc);
    gst_object_unref (webrtc);
  });
}

GstPromise *
promise_for (const JobPtr &job, GstPromiseChangeFunc f)
{
  return gst_promise_new_with_change_func (f, new JobPtr (job), free_job);
}

void
on_gathering (GObject *webrtc, GParamSpec *, gpointer data)
{
  GstWebRTCICEGatheringState st;
  g_object_get (webrtc, "ice-gathering-state", &st, NULL);
  if (st != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    return;
  on_loop (data, [] (const JobPtr &job, GstElement *) {
    if (job->local_set)
      finish (job, 0, {});
  });
}

void
on_local_set (GstPromise *p, gpointer data)
{
  std::string err = promise_error (p);
  gst_promise_unref (p);
  on_loop (data, [err] (const JobPtr &job, GstElement *webrtc) {
    if (!err.empty ()) {
      finish (job, 500, "webrtcbin could not apply its answer: " + err);
      return;
    }
    job->local_set = true;
    GstWebRTCICEGatheringState st;
    g_object_get (webrtc, "ice-gathering-state", &st, NULL);
    if (st == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) {
      finish (job, 0, {});
      return;
    }
    GstClock *clock = gst_system_clock_obtain ();
    job->timer = job->loop->schedule_in (
        clock, job->gather_timeout_ms * GST_MSECOND, [job] {
          job->timer = 0;
          finish (job, 0, {});
        });
    gst_object_unref (clock);
  });
}

void
on_answer_created (GstPromise *p, gpointer data)
{
  const GstStructure *reply = gst_promise_get_reply (p);
  GstWebRTCSessionDescription *desc = nullptr;
  if (reply && gst_structure_has_field (reply, "answer"))
    gst_structure_get (reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                       &desc, NULL);
  std::string err = promise_error (p);
  gst_promise_unref (p);
  auto holder = std::shared_ptr<GstWebRTCSessionDescription> (
      desc, [] (GstWebRTCSessionDescription *d) {
        if (d)
          gst_webrtc_session_description_free (d);
      });
  on_loop (data, [holder, err] (const JobPtr &job, GstElement *webrtc) {
    if (!holder) {
      finish (job, 422, "cannot answer the offer: " + err);
      return;
    }
    g_signal_emit_by_name (webrtc, "set-local-description", holder.get (),
                           promise_for (job, on_local_set));
  });
}

void
on_remote_set (GstPromise *p, gpointer data)
{
  std::string err = promise_error (p);
  gst_promise_unref (p);
  on_loop (data, [err] (const JobPtr &job, GstElement *webrtc) {
    if (!err.empty ()) {
      finish (job, 422, "webrtcbin refused the offer: " + err);
      return;
    }
    if (job->prepare && !job->prepare ()) {
      finish (job, 422, "the offer's m-lines cannot take our media");
      return;
    }
    g_signal_emit_by_name (webrtc, "create-answer", nullptr,
                           promise_for (job, on_answer_created));
  });
}

} // namespace

void
answer_offer (ControlLoop &loop, GstElement *webrtc, GstSDPMessage *offer,
              unsigned gather_timeout_ms, std::function<bool ()> prepare,
              std::function<void (const AnswerResult &)> done)
{
  auto job = std::make_shared<Job> ();
  job->loop = &loop;
  g_weak_ref_set (&job->webrtc, webrtc);
  job->gather_timeout_ms = gather_timeout_ms;
  job->prepare = std::move (prepare);
  job->done = std::move (done);
  job->notify = g_signal_connect_data (
      webrtc, "notify::ice-gathering-state", G_CALLBACK (on_gathering),
      new JobPtr (job), free_job_closure, (GConnectFlags)0);
  GstWebRTCSessionDescription *desc
      = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, offer);
  g_signal_emit_by_name (webrtc, "set-remote-description", desc,
                         promise_for (job, on_remote_set));
  gst_webrtc_session_description_free (desc);
}

} // namespace resilient::gst::server
