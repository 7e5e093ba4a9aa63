/* gst-resilient: a bin whose preroll is its own business (see livebin.h). */
#include "common/livebin.h"

struct _ResLiveBin
{
  GstBin parent;
  GstBin *inner; /* owned by the bin as its child */
};

G_DEFINE_TYPE (ResLiveBin, res_live_bin, GST_TYPE_BIN)

static GstStateChangeReturn
res_live_bin_change_state (GstElement *element, GstStateChange transition)
{
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (res_live_bin_parent_class)
                                 ->change_state (element, transition);
  /* the inner bin goes on to the target state by itself once prerolled */
  return ret == GST_STATE_CHANGE_ASYNC ? GST_STATE_CHANGE_SUCCESS : ret;
}

static void
res_live_bin_class_init (ResLiveBinClass *klass)
{
  GST_ELEMENT_CLASS (klass)->change_state
      = GST_DEBUG_FUNCPTR (res_live_bin_change_state);
}

static void
res_live_bin_init (ResLiveBin *self)
{
  self->inner = nullptr;
}

GstElement *
res_live_bin_new (const gchar *name)
{
  auto *self = RES_LIVE_BIN (g_object_new (RES_TYPE_LIVE_BIN, "name", name,
                                           nullptr));
  gchar *inner_name = g_strdup_printf ("%s-inner", name);
  GstElement *inner = gst_bin_new (inner_name);
  g_free (inner_name);
  g_object_set (inner, "async-handling", TRUE, nullptr);
  gst_bin_add (GST_BIN (self), inner);
  self->inner = GST_BIN (inner);
  return GST_ELEMENT (self);
}

GstBin *
res_live_bin_inner (ResLiveBin *bin)
{
  return bin->inner;
}
