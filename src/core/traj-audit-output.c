/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-audit"

#include "config.h"

#include "traj-audit-output.h"

GStrv
traj_audit_cohort_patients (const TrajCohortReport *report)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();

  g_return_val_if_fail (report != NULL, NULL);

  for (guint c = 0; report->cohorts && c < report->cohorts->len; c++)
    {
      const TrajCohort *cohort = g_ptr_array_index (report->cohorts, c);

      for (guint k = 0; cohort->courses && k < cohort->courses->len; k++)
        {
          const TrajCohortCourse *course = g_ptr_array_index (cohort->courses, k);

          if (course->patient_uid && g_hash_table_add (seen, course->patient_uid))
            g_strv_builder_add (out, course->patient_uid);
        }
    }
  return g_strv_builder_end (out);
}
