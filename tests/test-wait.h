/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Waiting in tests: for a condition, with a generous deadline, never for a
 * fixed time (a loaded machine gets to timers late). */
#pragma once

#include <glib.h>

/* Runs the main loop until @cond holds; fails the test after 60 s. */
#define WAIT_UNTIL(cond) G_STMT_START {                                        \
    gint64 wait_end_ = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;         \
    while (!(cond))                                                            \
      {                                                                        \
        if (g_get_monotonic_time () > wait_end_)                               \
          g_error ("still not true after 60 s: %s", #cond);                    \
        if (!g_main_context_iteration (NULL, FALSE))                           \
          g_usleep (1000);                                                     \
      }                                                                        \
  } G_STMT_END
