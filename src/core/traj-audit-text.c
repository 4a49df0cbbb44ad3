/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-audit"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traj-audit-text.h"
#include "traj-outcomes.h"
#include "traj-records.h"
#include "traj-scale.h"

/* ---- fields ---------------------------------------------------------------------- */

/* The columns of patient, course, infusion and assessment that an edit
 * records (traj_store_audit_snapshot ()), and the vital signs and items. */
static const struct {
  const char *field;
  const char *label;
} field_labels[] = {
  { "uid", N_("Record id") },
  { "mrn", N_("MRN") },
  { "name", N_("Name") },
  { "birth_date", N_("Birth date") },
  { "sex", N_("Sex") },
  { "indication", N_("Indication") },
  { "indication_detail", N_("Indication detail") },
  { "notes", N_("Notes") },
  { "created_at", N_("Created") },
  { "deleted_at", N_("Deleted") },
  { "risk_si_at", N_("Suicidal ideation risk flagged") },
  { "risk_si_by", N_("Suicidal ideation risk flagged by") },
  { "substance_use", N_("History of substance use") },
  { "primary_scale", N_("Primary scale") },
  { "protocol", N_("Protocol") },
  { "induction_length", N_("Infusions in the induction series") },
  { "start_date", N_("Start date") },
  { "end_date", N_("End date") },
  { "status", N_("Status") },
  { "started_at", N_("Started") },
  { "duration_min", N_("Duration (minutes)") },
  { "route", N_("Route") },
  { "medicine", N_("Medicine") },
  { "lot", N_("Lot number") },
  { "phase", N_("Phase") },
  { "weight_kg", N_("Weight (kg)") },
  { "dose_mg_per_kg", N_("Dose (mg/kg)") },
  { "total_mg", N_("Total dose (mg)") },
  { "side_effects", N_("Side effects") },
  { "side_effect_note", N_("Side effect note") },
  { "concomitant", N_("Concomitant medicines") },
  { "monitoring_min", N_("Monitoring time (minutes)") },
  { "ready_at", N_("Ready to leave at") },
  { "clinician", N_("Clinician") },
  { "date_confirmed", N_("Date warnings confirmed") },
  { "cadss_total", N_("CADSS total") },
  { "moaas_lowest", N_("Lowest MOAA/S") },
  { "rems_first_session", N_("First treatment session (REMS)") },
  { "rems_patient_id", N_("REMS enrolment ID") },
  { "rems_monitored_by", N_("Monitored by") },
  { "rems_vitals_ok_before", N_("Vital signs acceptable before dosing") },
  { "rems_vitals_ok_leaving", N_("Vital signs acceptable before leaving") },
  { "rems_sedation", N_("Sedation (REMS)") },
  { "rems_dissociation", N_("Dissociation (REMS)") },
  { "rems_resp_depression", N_("Respiratory depression (REMS)") },
  { "rems_adverse", N_("Adverse events (REMS)") },
  { "rems_adverse_note", N_("Adverse events described") },
  { "scale", N_("Questionnaire") },
  { "taken_at", N_("Taken") },
  { "source", N_("Source") },
  { "timing", N_("Timing") },
  { "complete", N_("Complete") },
  { "total", N_("Total") },
  { "difficulty", N_("Difficulty") },
  { "safety_highest", N_("Highest item 9 answer on the tablet") },
  /* a vital-sign reading's columns, after "minute N " */
  { "systolic", N_("Systolic (mmHg)") },
  { "diastolic", N_("Diastolic (mmHg)") },
  { "heart_rate", N_("Heart rate (/min)") },
  { "spo2", N_("SpO₂ (%)") },
  { "resp_rate", N_("Respiratory rate (/min)") },
};

static const char *
lookup_label (const char *field)
{
  for (guint k = 0; k < G_N_ELEMENTS (field_labels); k++)
    if (g_str_equal (field, field_labels[k].field))
      return _(field_labels[k].label);
  return NULL;
}

/* "minute 5 systolic" → 5 and "systolic"; "item 3 value" → 3 and "value". */
static gboolean
split_child (const char *field, const char *prefix, long *n, const char **column)
{
  char *end = NULL;

  if (!g_str_has_prefix (field, prefix))
    return FALSE;
  *n = strtol (field + strlen (prefix), &end, 10);
  if (end == field + strlen (prefix) || *end != ' ')
    return FALSE;
  *column = end + 1;
  return TRUE;
}

char *
traj_audit_field_label (const char *field)
{
  const char *column, *label;
  long n;

  g_return_val_if_fail (field != NULL, NULL);

  if (split_child (field, "minute ", &n, &column) && (label = lookup_label (column)) != NULL)
    /* Translators: a vital sign of an infusion: 1: what ("Systolic (mmHg)"), 2: minutes after the start */
    return g_strdup_printf (_("%1$s at %2$ld min"), label, n);
  if (split_child (field, "item ", &n, &column))
    /* Translators: one answer of a questionnaire, by its number */
    return g_strdup_printf (_("Item %ld"), n);
  label = lookup_label (field);
  return g_strdup (label ? label : field);
}

/* A comma-separated code list ("nausea,dizziness") as labels. */
static char *
code_list (const char *value, const char *(*to_string) (guint), const char *(*label) (guint), guint n)
{
  g_auto(GStrv) codes = g_strsplit (value, ",", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint c = 0; codes[c]; c++)
    {
      const char *text = g_strstrip (codes[c]);

      if (*text == '\0')
        continue;
      for (guint k = 0; k < n; k++)
        if (g_str_equal (text, to_string (k)))
          {
            text = label (k);
            break;
          }
      g_string_append_printf (out, "%s%s", out->len ? ", " : "", text);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Whether @value is a whole number, into @out. */
static gboolean
whole_number (const char *value, gint64 *out)
{
  char *end = NULL;

  if (*value == '\0')
    return FALSE;
  *out = g_ascii_strtoll (value, &end, 10);
  return *end == '\0';
}

/* @value of an enum column as its label, or NULL. */
static const char *
enum_label (const char *column, const char *value)
{
  union { TrajSex sex; TrajIndication indication; TrajRoute route; TrajMedicine medicine; TrajPhase phase;
          TrajCourseStatus status; TrajSource source; TrajTiming timing; TrajSubstanceUse substance_use; } v;
  const TrajScale *scale;

  if (g_str_equal (column, "sex") && traj_sex_from_string (value, &v.sex))
    return traj_sex_label (v.sex);
  if (g_str_equal (column, "indication") && traj_indication_from_string (value, &v.indication))
    return traj_indication_label (v.indication);
  if (g_str_equal (column, "route") && traj_route_from_string (value, &v.route))
    return traj_route_label (v.route);
  if (g_str_equal (column, "medicine") && traj_medicine_from_string (value, &v.medicine))
    return traj_medicine_label (v.medicine);
  if (g_str_equal (column, "phase") && traj_phase_from_string (value, &v.phase))
    return traj_phase_label (v.phase);
  if (g_str_equal (column, "status") && traj_course_status_from_string (value, &v.status))
    return traj_course_status_label (v.status);
  if (g_str_equal (column, "source") && traj_source_from_string (value, &v.source))
    return traj_source_label (v.source);
  if (g_str_equal (column, "timing") && traj_timing_from_string (value, &v.timing))
    return traj_timing_label (v.timing);
  if ((g_str_equal (column, "scale") || g_str_equal (column, "primary_scale")) &&
      (scale = traj_scale_lookup (value)) != NULL)
    return scale->name;
  if (g_str_equal (column, "indication_detail"))
    return traj_indication_detail_label (value);
  if (g_str_equal (column, "substance_use") && traj_substance_use_from_string (value, &v.substance_use))
    return traj_substance_use_label (v.substance_use);
  if (g_str_equal (column, "complete"))
    return g_str_equal (value, "1") ? _("Yes") : g_str_equal (value, "0") ? _("No") : NULL;
  return NULL;
}

char *
traj_audit_field_value (const char *field,
                        const char *value)
{
  const char *column = field, *label;
  gint64 n;
  long minute;

  g_return_val_if_fail (field != NULL, NULL);

  if (value == NULL || *value == '\0')
    return g_strdup ("");
  split_child (field, "minute ", &minute, &column);
  if (g_str_has_suffix (column, "_at") && whole_number (value, &n))
    return traj_time_format (n);
  if (g_str_has_suffix (column, "_date") && traj_day_from_iso (value) != TRAJ_DAY_NONE)
    return traj_day_format (traj_day_from_iso (value));
  if (g_str_equal (column, "side_effects"))
    return code_list (value, traj_side_effect_to_string, traj_side_effect_label, TRAJ_N_SIDE_EFFECTS);
  if (g_str_equal (column, "concomitant"))
    return code_list (value, traj_concomitant_to_string, traj_concomitant_label, TRAJ_N_CONCOMITANTS);
  if (g_str_equal (column, "date_confirmed"))
    return code_list (value, traj_date_warning_to_string, traj_date_warning_label, TRAJ_N_DATE_WARNINGS);
  if ((label = enum_label (column, value)) != NULL)
    return g_strdup (label);
  return g_strdup (value);
}

/* ---- kinds ----------------------------------------------------------------------- */

static const struct {
  const char *kind;
  const char *label;
} kinds[] = {
  { "patient", N_("Patient") },
  { "course", N_("Treatment course") },
  { "infusion", N_("Infusion") },
  { "vital_sign", N_("Vital-sign reading") },
  { "assessment", N_("Questionnaire") },
  { "flag_decision", N_("Safety decision") },
  { "kiosk_checkin", N_("Tablet check-in") },
  { "clinic_setting", N_("Clinic setting") },
  { "cohort_definition", N_("Saved cohort") },
  { "medication", N_("Medicine") },
};

/* "5 patients", for the kinds a batch counts; NULL for others. */
static char *
kind_count (int k, guint n)
{
  switch (k)
    {
    case 0: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u patient", "%u patients", n), n);
    case 1: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u treatment course", "%u treatment courses", n), n);
    case 2: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u infusion", "%u infusions", n), n);
    case 3: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u vital-sign reading", "%u vital-sign readings", n), n);
    case 4: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u questionnaire", "%u questionnaires", n), n);
    case 5: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u safety decision", "%u safety decisions", n), n);
    case 9: return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u medicine", "%u medicines", n), n);
    default: return NULL;
    }
}

static int
kind_index (const char *kind)
{
  for (guint k = 0; kind && k < G_N_ELEMENTS (kinds); k++)
    if (g_str_equal (kind, kinds[k].kind))
      return (int) k;
  return -1;
}

const char *
traj_audit_kind_label (const char *kind)
{
  int k = kind_index (kind);

  return k >= 0 ? _(kinds[k].label) : kind;
}

/* ---- titles ---------------------------------------------------------------------- */

/* "demo: patient 5, course 5, infusion 35, vital_sign 172, …" in words. */
static char *
counts_title (const char *summary)
{
  const char *list = strstr (summary, ": ");
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (list == NULL)
    return NULL;
  parts = g_strsplit (list + 2, ", ", -1);
  for (guint p = 0; parts[p]; p++)
    {
      char *space = strrchr (parts[p], ' ');
      g_autofree char *kind = NULL, *phrase = NULL;
      gint64 n;
      int k;

      if (space == NULL || !whole_number (space + 1, &n) || n < 0 || n > G_MAXUINT)
        return NULL;
      kind = g_strndup (parts[p], (gsize) (space - parts[p]));
      if ((k = kind_index (kind)) < 0 || (phrase = kind_count (k, (guint) n)) == NULL)
        return NULL;
      if (n > 0)
        g_string_append_printf (out, "%s%s", out->len ? ", " : "", phrase);
    }
  if (out->len == 0)
    return g_strdup (_("Records written: none"));
  /* Translators: %s lists counts, e.g. "5 patients, 35 infusions, 172 vital-sign readings" */
  return g_strdup_printf (_("Records written: %s"), out->str);
}

/* "infusion iv induction 0.50 mg/kg 35.0 mg, 4 vital readings", or with
 * a fixed dose "infusion intranasal induction 56.0 mg, 4 vital readings". */
static char *
infusion_title (const char *summary)
{
  char route[32], phase[32];
  double per_kg = 0, mg = 0;
  unsigned readings = 0;
  TrajRoute r;
  TrajPhase ph;
  g_autofree char *dose = NULL, *vitals = NULL;

  if (sscanf (summary, "infusion %31s %31s %lf mg/kg %lf mg, %u vital readings", route, phase, &per_kg, &mg,
              &readings) != 5 &&
      (per_kg = 0, sscanf (summary, "infusion %31s %31s %lf mg, %u vital readings", route, phase, &mg,
                           &readings) != 4))
    return NULL;
  if (!traj_route_from_string (route, &r) || !traj_phase_from_string (phase, &ph))
    return NULL;
  if (per_kg > 0)
    /* Translators: a dose: 1: mg per kg of body weight, 2: the total in mg */
    dose = g_strdup_printf (_("%1$.2f mg/kg (%2$.1f mg)"), per_kg, mg);
  else
    /* Translators: a fixed dose in mg (esketamine nasal spray) */
    dose = g_strdup_printf (_("%.0f mg"), mg);
  vitals = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u vital-sign reading", "%u vital-sign readings",
                                         readings), readings);
  /* Translators: 1: route, 2: phase, 3: dose, 4: "4 vital-sign readings" */
  return g_strdup_printf (_("Infusion: %1$s, %2$s, %3$s, %4$s"), traj_route_label (r), traj_phase_label (ph),
                          dose, vitals);
}

/* "PHQ9 total 14 (clinician)" or "PHQ9 draft (tablet)". */
static char *
assessment_title (const char *summary)
{
  char code[32], source[32];
  int total = 0;
  const TrajScale *scale;
  TrajSource s;
  gboolean draft = FALSE;

  if (sscanf (summary, "%31s total %d (%31[^)])", code, &total, source) != 3 &&
      !(draft = sscanf (summary, "%31s draft (%31[^)])", code, source) == 2))
    return NULL;
  if ((scale = traj_scale_lookup (code)) == NULL || !traj_source_from_string (source, &s))
    return NULL;
  if (draft)
    /* Translators: 1: the questionnaire, 2: who filled it in ("Tablet") */
    return g_strdup_printf (_("%1$s, not finished (%2$s)"), scale->name, traj_source_label (s));
  /* Translators: 1: the questionnaire, 2: its total score, 3: who filled it in ("Tablet") */
  return g_strdup_printf (_("%1$s total %2$d (%3$s)"), scale->name, total, traj_source_label (s));
}

/* "course depression, active". */
static char *
course_title (const char *summary)
{
  char indication[48], status[32];
  TrajIndication ind;
  TrajCourseStatus st;

  if (sscanf (summary, "course %47[^,], %31s", indication, status) != 2 ||
      !traj_indication_from_string (indication, &ind) || !traj_course_status_from_string (status, &st))
    return NULL;
  /* Translators: 1: indication ("Depression"), 2: status ("Active") */
  return g_strdup_printf (_("Treatment course: %1$s, %2$s"), traj_indication_label (ind),
                          traj_course_status_label (st));
}

/* What an output was, as traj_store_audit_output () callers name it. */
static const struct {
  const char *what;
  const char *label;
} outputs[] = {
  { "progress report (PDF)", N_("Progress report (PDF)") },
  { "progress report", N_("Progress report") },
  { "patient chart", N_("Patient chart") },
  { "cohort report (PDF)", N_("Cohort report (PDF)") },
  { "cohort chart", N_("Cohort chart") },
  { "cohort table", N_("Cohort table") },
  { "CSV export", N_("CSV export") },
  { "FHIR export", N_("FHIR export") },
  { "Backup", N_("Backup") },
};

/* "<what>: the whole clinic" or "<what>: N patient(s)". */
static char *
output_title (const char *summary)
{
  const char *colon = g_strrstr (summary, ": ");
  g_autofree char *what = NULL, *whom = NULL;
  const char *label = NULL;
  unsigned n = 0;
  char mrn[128];

  if (colon == NULL)
    return NULL;
  what = g_strndup (summary, (gsize) (colon - summary));
  for (guint k = 0; k < G_N_ELEMENTS (outputs); k++)
    if (g_str_equal (what, outputs[k].what))
      label = _(outputs[k].label);
  if (label == NULL && sscanf (what, "FHIR export of MRN %127s", mrn) == 1)
    {
      g_free (what);
      /* Translators: %s is a patient's MRN */
      what = g_strdup_printf (_("FHIR export of MRN %s"), mrn);
      label = what;
    }
  if (label == NULL && g_str_has_prefix (what, "audit trail, "))
    label = _("Audit trail");
  if (label == NULL)
    return NULL;
  if (g_str_equal (colon + 2, "the whole clinic"))
    whom = g_strdup (_("the whole clinic"));
  else if (sscanf (colon + 2, "%u patient", &n) == 1)
    whom = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u patient", "%u patients", n), n);
  else
    return NULL;
  /* Translators: 1: what was written ("Progress report (PDF)"), 2: "3 patients" or "the whole clinic" */
  return g_strdup_printf (_("%1$s: %2$s"), label, whom);
}

/* "no_response: plan_reviewed" (traj-store-decision.c) in words. */
static char *
decision_title (const char *summary)
{
  const char *colon = strstr (summary, ": ");
  g_autofree char *kind_code = NULL;
  TrajFindingKind kind;

  if (colon == NULL)
    return NULL;
  kind_code = g_strndup (summary, (gsize) (colon - summary));
  if (!traj_finding_kind_from_string (kind_code, &kind))
    return NULL;
  /* Translators: an audit row: 1: a finding ("Booster due"), 2: the decision recorded ("Declined") */
  return g_strdup_printf (_("%1$s: %2$s"), traj_finding_kind_label (kind), traj_decision_label (colon + 2));
}

/* "tablet check-in for phq9,gad7 (with the birth date)"
 * (traj-store-checkin.c) in words. */
static char *
checkin_title (const char *summary)
{
  static const char prefix[] = "tablet check-in for ";
  static const char birth[] = " (with the birth date)";
  g_autofree char *codes = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  gboolean asked;

  if (!g_str_has_prefix (summary, prefix))
    return NULL;
  asked = g_str_has_suffix (summary, birth);
  codes = g_strndup (summary + strlen (prefix), strlen (summary) - strlen (prefix) - (asked ? strlen (birth) : 0));
  parts = g_strsplit (codes, ",", -1);
  for (guint k = 0; parts[k]; k++)
    {
      const TrajScale *scale = traj_scale_lookup (parts[k]);

      if (names->len)
        g_string_append (names, ", ");
      g_string_append (names, scale ? _(scale->name) : parts[k]);
    }
  return asked ? /* Translators: %s lists questionnaires ("PHQ-9, GAD-7") */
                 g_strdup_printf (_("Tablet check-in code for %s, asking the birth date"), names->str)
               : /* Translators: %s lists questionnaires ("PHQ-9, GAD-7") */
                 g_strdup_printf (_("Tablet check-in code for %s"), names->str);
}

static char *
record_title (const TrajAuditEvent *e)
{
  const char *s = e->summary;

  /* A delete or undelete names the record's table (traj-store.c). */
  if ((g_strcmp0 (e->action, "delete") == 0 || g_strcmp0 (e->action, "undelete") == 0) && kind_index (s) >= 0)
    return g_strdup (traj_audit_kind_label (s));
  if (g_str_equal (e->record_kind, "flag_decision"))
    return decision_title (s);
  if (g_str_equal (e->record_kind, "kiosk_checkin"))
    return checkin_title (s);

  if (g_str_equal (e->record_kind, "patient") && g_str_has_prefix (s, "patient MRN "))
    /* Translators: %s is a patient's MRN */
    return g_strdup_printf (_("Patient, MRN %s"), s + strlen ("patient MRN "));
  if (g_str_equal (e->record_kind, "infusion") && g_str_has_prefix (s, "infusion "))
    return infusion_title (s);
  if (g_str_equal (e->record_kind, "assessment"))
    return assessment_title (s);
  if (g_str_equal (e->record_kind, "course"))
    return course_title (s);
  return NULL;
}

/* The first event of a batch (traj_store_bulk_begin () callers). */
static char *
batch_title (const TrajAuditEvent *e)
{
  static const char kept[] = "; the clinic before is kept in ";
  const char *s = e->summary, *k;
  unsigned seed = 0, n = 0, others = 0;
  char action[32];

  if (g_strcmp0 (e->action, "demo") == 0 && sscanf (s, "demo clinic: seed %u, %u patients", &seed, &n) == 2)
    /* Translators: 1: how many patients, 2: the random seed that made them */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Demo clinic of %1$u patient (seed %2$u)",
                                         "Demo clinic of %1$u patients (seed %2$u)", n), n, seed);
  if (g_strcmp0 (e->action, "import") == 0 && g_str_has_prefix (s, "CSV import from "))
    /* Translators: %s is the folder or file imported */
    return g_strdup_printf (_("CSV import from %s"), s + strlen ("CSV import from "));
  if (g_strcmp0 (e->action, "restore") == 0 && g_str_has_prefix (s, "restored from "))
    {
      g_autofree char *from = NULL;

      s += strlen ("restored from ");
      if ((k = strstr (s, kept)) == NULL)
        /* Translators: %s is the backup file */
        return g_strdup_printf (_("Restored from %s"), s);
      from = g_strndup (s, (gsize) (k - s));
      /* Translators: 1: the backup file, 2: where the clinic file as it was before is kept */
      return g_strdup_printf (_("Restored from %1$s; the clinic before is kept in %2$s"), from, k + strlen (kept));
    }
  /* An import or demo stopped on the way, whose hidden records were then
   * removed (traj-store.c, bulk_remove_hidden ()). */
  if (sscanf (s, "%31[a-z]: unfinished, removed: %u hidden patients and their records, %u hidden records of "
              "other patients", action, &n, &others) == 3 && others > 0)
    /* Translators: 1: how many patients the unfinished import had written (with their records), 2: how many
     * records it had added to other patients; none of them was ever shown */
    return g_strdup_printf (_("Unfinished import removed, never shown: new patients with their records: %1$u; "
                              "records added to other patients: %2$u"), n, others);
  if (sscanf (s, "%31[a-z]: unfinished, removed: %u hidden patients and their records", action, &n) == 2)
    {
      if (g_str_equal (action, "demo"))
        /* Translators: %u is how many patients the unfinished demo clinic had written, never shown */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Unfinished demo clinic removed: %u patient and their records, never shown",
                                             "Unfinished demo clinic removed: %u patients and their records, never shown",
                                             n), n);
      /* Translators: %u is how many patients the unfinished import had written, never shown */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Unfinished import removed: %u patient and their records, never shown",
                                           "Unfinished import removed: %u patients and their records, never shown",
                                           n), n);
    }
  return NULL;
}

static gboolean
is_output (const char *action)
{
  static const char * const actions[] = { "report", "chart", "print", "export", "backup", "audit-export", NULL };

  return g_strv_contains (actions, action);
}

char *
traj_audit_event_title (const TrajAuditEvent *e)
{
  static const char migrate_prefix[] = "PRAGMA user_version = ";
  char *title = NULL;
  unsigned part = 0, n = 0;
  const char *colon;

  g_return_val_if_fail (e != NULL, NULL);

  if (e->summary == NULL || *e->summary == '\0')
    return g_strdup ("");
  if (g_strcmp0 (e->action, "migrate") == 0 && g_str_has_prefix (e->summary, migrate_prefix))
    /* Translators: %d is the version of the clinic file's layout */
    return g_strdup_printf (_("Clinic file brought up to version %d"), atoi (e->summary + strlen (migrate_prefix)));
  if (g_strcmp0 (e->record_kind, "counts") == 0)
    title = counts_title (e->summary);
  else if (g_strcmp0 (e->record_kind, "records") == 0 && (colon = strstr (e->summary, ": ")) != NULL &&
           sscanf (colon, ": records written, part %u (%u)", &part, &n) == 2)
    /* Translators: 1: which part of a batch's list of records, 2: how many records it lists */
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Records written, part %1$u: %2$u record",
                                          "Records written, part %1$u: %2$u records", n), part, n);
  else if (e->action && is_output (e->action))
    title = output_title (e->summary);
  else if (g_strcmp0 (e->record_kind, "clinic") == 0)
    title = batch_title (e);
  else if (e->record_kind)
    title = record_title (e);
  return title ? title : g_strdup (e->summary);
}

char *
traj_audit_changes_text (const char *detail)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (detail == NULL || *detail == '\0')
    return NULL;
  lines = g_strsplit (detail, "\n", -1);
  for (guint k = 0; lines[k]; k++)
    {
      const char *colon = strstr (lines[k], ": ");
      const char *arrow = colon ? strstr (colon + 2, " → ") : NULL;
      g_autofree char *field = NULL, *was = NULL, *label = NULL, *before = NULL, *after = NULL;

      if (*lines[k] == '\0')
        continue;
      if (arrow == NULL)
        return NULL;
      field = g_strndup (lines[k], (gsize) (colon - lines[k]));
      was = g_strndup (colon + 2, (gsize) (arrow - colon - 2));
      label = traj_audit_field_label (field);
      before = traj_audit_field_value (field, was);
      after = traj_audit_field_value (field, arrow + strlen (" → "));
      /* Translators: one changed field: 1: its label, 2: before, 3: after */
      g_string_append_printf (out, _("%1$s: %2$s → %3$s\n"), label, *before ? before : _("(empty)"),
                              *after ? after : _("(empty)"));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct {
  char *patient_uid;
  guint n[6];
} BatchPatient;

static void
batch_patient_free (BatchPatient *b)
{
  g_free (b->patient_uid);
  g_free (b);
}

char *
traj_audit_batch_text (const char      *detail,
                       TrajAuditNameFunc name,
                       gpointer          data)
{
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func ((GDestroyNotify) batch_patient_free);
  g_autoptr(GHashTable) by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (detail != NULL, NULL);

  lines = g_strsplit (detail, "\n", -1);
  for (guint k = 0; lines[k]; k++)
    {
      g_auto(GStrv) words = g_strsplit (lines[k], " ", 3);
      const char *whose;
      BatchPatient *b;
      int kind;

      if (*lines[k] == '\0')
        continue;
      kind = kind_index (words[0]);
      whose = words[1] && words[2] ? words[2] : kind == 0 ? words[1] : "";
      if (kind < 0 || kind > 5 || whose == NULL)
        return NULL;
      if ((b = g_hash_table_lookup (by_uid, whose)) == NULL)
        {
          b = g_new0 (BatchPatient, 1);
          b->patient_uid = g_strdup (whose);
          g_ptr_array_add (order, b);
          g_hash_table_insert (by_uid, b->patient_uid, b);
        }
      b->n[kind]++;
    }
  for (guint k = 0; k < order->len; k++)
    {
      BatchPatient *b = g_ptr_array_index (order, k);
      const char *who = *b->patient_uid && name ? name (data, b->patient_uid) : NULL;
      g_autoptr(GString) counts = g_string_new (NULL);

      for (int kind = 0; kind < 6; kind++)
        if (b->n[kind] > 0)
          {
            g_autofree char *phrase = kind_count (kind, b->n[kind]);

            g_string_append_printf (counts, "%s%s", counts->len ? ", " : "", phrase);
          }
      /* Translators: one patient's records in a batch: 1: the patient, 2: "1 infusion, 4 vital-sign readings" */
      g_string_append_printf (out, _("%1$s: %2$s\n"),
                              who ? who : *b->patient_uid ? b->patient_uid : _("Patient not listed"), counts->str);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
