/* `meson install` reaches GStreamer (issue 10.8): the plugin lands in
 * GStreamer's own plugin directory (pkg-config pluginsdir of
 * gstreamer-1.0), gst-inspect-1.0 finds every element through that
 * directory alone, and the element docs are installed. Installs into a
 * DESTDIR under a temporary directory; nothing touches the system. */
#include "eco_common.h"
#include "fixtures/process.h"

#include <glib/gstdio.h>
#include <gtest/gtest.h>

using namespace eco_test;

TEST (Install, PluginLandsInGStreamerPluginsdirAndIsFound)
{
  fixtures::TempDir dir;
  const std::string destdir = dir.file ("root");
  Ran pc = run ({ "pkg-config", "--variable=pluginsdir", "gstreamer-1.0" });
  ASSERT_EQ (pc.status, 0) << pc.out;
  std::string pluginsdir = pc.out.substr (0, pc.out.find ('\n'));
  ASSERT_FALSE (pluginsdir.empty ());

  Ran inst = run ({ "meson", "install", "-C", fixtures::build_root (),
                    "--no-rebuild", "--quiet", "--destdir", destdir });
  ASSERT_EQ (inst.status, 0) << inst.out;
  const std::string plugin = destdir + pluginsdir + "/libgstresilient.so";
  ASSERT_TRUE (g_file_test (plugin.c_str (), G_FILE_TEST_EXISTS))
      << plugin << " missing; meson install put: "
      << run ({ "find", destdir, "-name", "*.so" }).out;

  /* Docs: <prefix>/share/doc/gst-resilient. */
  Ran docs = run ({ "find", destdir, "-path",
                    "*/doc/gst-resilient/elements/failoversrc.md" });
  EXPECT_NE (docs.out.find ("failoversrc.md"), std::string::npos) << docs.out;
  Ran readme
      = run ({ "find", destdir, "-path", "*/doc/gst-resilient/README.md" });
  EXPECT_NE (readme.out.find ("README.md"), std::string::npos);

  /* gst-inspect through the installed directory alone: no GST_PLUGIN_PATH,
   * a fresh registry; the system directory stays for the base plugins. */
  gchar **env = g_get_environ ();
  env = g_environ_unsetenv (env, "GST_PLUGIN_PATH");
  env = g_environ_unsetenv (env, "GST_PLUGIN_PATH_1_0");
  env = g_environ_setenv (env, "GST_PLUGIN_SYSTEM_PATH_1_0",
                          (destdir + pluginsdir + ":" + pluginsdir).c_str (),
                          TRUE);
  env = g_environ_setenv (env, "GST_REGISTRY_1_0",
                          dir.file ("registry.bin").c_str (), TRUE);
  for (const char *el : { "failoversrc", "autorestoresink", "clusterresolver",
                          "reswhipsink", "reswhepsrc" }) {
    Ran r = run ({ "gst-inspect-1.0", el }, env);
    EXPECT_EQ (r.status, 0) << el << ": " << r.out;
    EXPECT_NE (r.out.find (plugin), std::string::npos) << el << ": " << r.out;
  }
  g_strfreev (env);
}

/* scripts/build.sh is not silent (issue 10.9): with its output going to a
 * log (not a terminal) it prints a line per 10 % of ninja's steps. A stand-in
 * `ninja` first in PATH prints what ninja prints, so the real build tree is
 * not touched. */
TEST (Install, BuildScriptShowsProgress)
{
  fixtures::TempDir dir;
  {
    std::ofstream f (dir.file ("ninja"));
    f << "#!/bin/sh\n"
         "i=1\n"
         "while [ $i -le 40 ]; do echo \"[$i/40] Compiling C++ object x$i.o\"; "
         "i=$((i+1)); done\n";
  }
  g_chmod (dir.file ("ninja").c_str (), 0755);
  gchar **env = g_get_environ ();
  const char *path = g_environ_getenv (env, "PATH");
  env = g_environ_setenv (
      env, "PATH",
      (dir.path () + ":" + (path ? path : "/usr/bin:/bin")).c_str (), TRUE);
  Ran r = run ({ "bash", fixtures::source_root () + "/scripts/build.sh" }, env);
  g_strfreev (env);
  EXPECT_EQ (r.status, 0) << r.out;
  EXPECT_NE (r.out.find ("build.sh:   2% (1/40 steps"), std::string::npos)
      << r.out;
  EXPECT_NE (r.out.find ("build.sh:  50% (20/40 steps"), std::string::npos)
      << r.out;
  EXPECT_NE (r.out.find ("build.sh: 100% (40/40 steps"), std::string::npos)
      << r.out;
  EXPECT_NE (r.out.find ("build.sh: build up to date"), std::string::npos)
      << r.out;
}
