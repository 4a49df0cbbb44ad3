/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-validate"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "traj-error.h"
#include "traj-outcomes.h"
#include "traj-validate.h"

typedef struct {
  int min;
  int max;
  TrajError code;
  const char *what;
} VitalRange;

/* CLINICAL plausibility ranges for typed vitals (issue: foundation). */
static const VitalRange vital_ranges[5] = {
  { 50, 300, TRAJ_ERROR_VITAL_SYSTOLIC, N_("Systolic blood pressure") },
  { 20, 200, TRAJ_ERROR_VITAL_DIASTOLIC, N_("Diastolic blood pressure") },
  { 20, 250, TRAJ_ERROR_VITAL_HEART_RATE, N_("Heart rate") },
  { 50, 100, TRAJ_ERROR_VITAL_SPO2, N_("SpO₂") },
  { 4, 60, TRAJ_ERROR_VITAL_RESP_RATE, N_("Respiratory rate") },
};

/* Unicode format characters (Cf) nobody sees, plus the line and paragraph
 * separators; the joiners U+200C/U+200D are part of names in some scripts. */
static gboolean
is_invisible_format (gunichar c)
{
  if (c == 0x200C || c == 0x200D)
    return FALSE;
  return c == 0x2028 || c == 0x2029 || g_unichar_type (c) == G_UNICODE_FORMAT;
}

static gboolean
text_too_long (const char *what, const char *text, glong max_chars, GError **error)
{
  gsize bytes = strlen (text);

  /* A 30 MB note is refused without counting its characters. */
  if (bytes <= (gsize) max_chars ||
      (bytes <= (gsize) max_chars * 4 && g_utf8_strlen (text, -1) <= max_chars))
    return FALSE;
  g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_TEXT_LONG,
               /* Translators: %s is a field, e.g. "Notes"; %ld the limit */
               _("%s: longer than %ld characters. Shorten it."), what, max_chars);
  return TRUE;
}

gboolean
traj_validate_text_max (const char *what, const char *text, gboolean multiline,
                        glong max_chars, GError **error)
{
  const guchar *p = (const guchar *) (text ? text : "");

  if (text_too_long (what, (const char *) p, max_chars, error))
    return FALSE;
  for (; *p; p++)
    {
      gunichar c = *p;

      if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
        c = p[1];                 /* C1 control, UTF-8 encoded */
      else if (*p >= 0x80 && !multiline)
        {
          c = g_utf8_get_char_validated ((const char *) p, -1);
          if (c < 0x80000000u && is_invisible_format (c))
            {
              g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_TEXT_INVISIBLE,
                           /* Translators: %s is a field, e.g. "Name"; U+%04X a character code */
                           _("%s: the invisible formatting character U+%04X (such as a right-to-left override) cannot be stored here. Remove it."),
                           what, c);
              return FALSE;
            }
          if (c < 0x80000000u)
            p += g_utf8_skip[*p] - 1;
          continue;
        }
      else if (*p >= 0x20 && *p != 0x7F)
        continue;
      else if (multiline && (*p == '\t' || *p == '\n' || *p == '\r'))
        continue;
      if (c == '\t' || c == '\n' || c == '\r')
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_TEXT_CONTROL,
                     /* Translators: %s is a field, e.g. "Name" */
                     _("%s: tabs and line breaks cannot be stored here. Keep it on one line."), what);
      else
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_TEXT_CONTROL,
                     /* Translators: %s is a field, e.g. "Name"; U+%04X a character code */
                     _("%s: the control character U+%04X cannot be stored. Remove it."),
                     what, c);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_text (const char *what, const char *text, gboolean multiline, GError **error)
{
  return traj_validate_text_max (what, text, multiline,
                                 multiline ? TRAJ_TEXT_NOTE_MAX : TRAJ_TEXT_LINE_MAX, error);
}

gint32
traj_records_first_day (void)
{
  return traj_day_from_ymd (TRAJ_RECORDS_FROM_YEAR, 1, 1);
}

gint64
traj_records_first_time (void)
{
  return (gint64) traj_records_first_day () * 86400;
}

gboolean
traj_validate_record_time (const char *what, gint64 t, gint64 latest, GError **error)
{
  if (t == traj_records_first_time ())
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IMPLAUSIBLE,
                   /* Translators: %s is a field, e.g. "Infusion start" */
                   _("%s: 1970-01-01 00:00:00 UTC stands for “no date” and is not plausible. Check the date."),
                   what);
      return FALSE;
    }
  if (t < traj_records_first_time ())
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IMPLAUSIBLE,
                   /* Translators: %s is a field, e.g. "Infusion start" */
                   _("%s: a date before %d is not plausible. Check the date."), what, TRAJ_RECORDS_FROM_YEAR);
      return FALSE;
    }
  if (t > latest)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IMPLAUSIBLE,
                   _("%s: the date is in the future. Check it."), what);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_mrn (const char *mrn, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (mrn ? mrn : ""));

  if (*stripped == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_MRN_MISSING,
                           _("Enter the patient’s medical record number (MRN)."));
      return FALSE;
    }
  return traj_validate_text_max (_("MRN"), mrn, FALSE, TRAJ_TEXT_MRN_MAX, error);
}

gboolean
traj_validate_name (const char *name, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name ? name : ""));

  if (*stripped == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NAME_MISSING,
                           _("Enter the patient’s name."));
      return FALSE;
    }
  return traj_validate_text (_("Name"), name, FALSE, error);
}

gboolean
traj_validate_birth_day (gint32 birth_day, gint32 today, GError **error)
{
  if (birth_day == TRAJ_DAY_NONE)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_BIRTH_DATE_MISSING,
                           _("Enter the birth date as YYYY-MM-DD."));
      return FALSE;
    }
  if (birth_day > today)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_BIRTH_DATE_FUTURE,
                           _("The birth date is in the future."));
      return FALSE;
    }
  if (traj_age_years (birth_day, today) > TRAJ_MAX_AGE_YEARS)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_AGE_OVER_120,
                   _("The birth date makes the patient older than %d years."), TRAJ_MAX_AGE_YEARS);
      return FALSE;
    }
  return TRUE;
}

/* CLINICAL.md §8: a detail is one of its indication's. */
gboolean
traj_validate_indication_detail (TrajIndication indication, const char *detail, GError **error)
{
  const char * const *codes = traj_indication_details (indication);
  g_autofree char *list = NULL;

  if (traj_indication_detail_fits (indication, detail))
    return TRUE;
  if (codes[0] == NULL)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("Indication detail “%s” does not apply: %s has no details. Leave it empty."),
                   detail, traj_indication_label (indication));
      return FALSE;
    }
  list = g_strjoinv (", ", (char **) codes);
  g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
               _("Indication detail “%s” is not one of %s’s (%s), or empty."),
               detail, traj_indication_label (indication), list);
  return FALSE;
}

gboolean
traj_validate_patient (const TrajPatient *p, gint32 today, GError **error)
{
  /* Stamps are instants; "the end of tomorrow" covers any clock zone. */
  gint64 latest = ((gint64) today + 2) * 86400;

  if (!traj_validate_mrn (p->mrn, error) ||
      !traj_validate_name (p->name, error) ||
      !traj_validate_birth_day (p->birth_day, today, error) ||
      !traj_validate_text (_("Notes"), p->notes, TRUE, error) ||
      !traj_validate_indication_detail (p->indication, p->indication_detail, error))
    return FALSE;
  if (p->risk_si_at != TRAJ_TIME_NONE &&
      !traj_validate_record_time (_("Suicidal ideation flag set at"), p->risk_si_at, latest, error))
    return FALSE;
  if (p->risk_si_at != TRAJ_TIME_NONE && (p->risk_si_by == NULL || *p->risk_si_by == '\0'))
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("The suicidal ideation flag needs who set it."));
      return FALSE;
    }
  if (p->risk_si_at != TRAJ_TIME_NONE && !traj_validate_text (_("Suicidal ideation flag set by"), p->risk_si_by, FALSE, error))
    return FALSE;
  if ((guint) p->substance_use >= TRAJ_N_SUBSTANCE_USES)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("The history of substance use must be not recorded, none, in the past or current."));
      return FALSE;
    }
  if (p->created_at != TRAJ_TIME_NONE &&
      !traj_validate_record_time (_("Created at"), p->created_at, latest, error))
    return FALSE;
  if (p->updated_at != TRAJ_TIME_NONE &&
      !traj_validate_record_time (_("Updated at"), p->updated_at, latest, error))
    return FALSE;
  if (p->created_at != TRAJ_TIME_NONE && p->updated_at != TRAJ_TIME_NONE && p->updated_at < p->created_at)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_IMPLAUSIBLE,
                           _("The patient was last changed before being created: check the times."));
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_induction_length (int n, GError **error)
{
  if (n < 1 || n > 24)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INDUCTION_LENGTH,
                   _("Induction length must be between 1 and 24 infusions (it is %d)."), n);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_course (const TrajCourse *c, gint32 today, GError **error)
{
  if (!traj_validate_induction_length (c->induction_length, error) ||
      !traj_validate_indication_detail (c->indication, c->indication_detail, error))
    return FALSE;
  if (c->start_day == TRAJ_DAY_NONE)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_COURSE_DATES,
                           _("Enter the course start date as YYYY-MM-DD."));
      return FALSE;
    }
  if (c->start_day > today + 366)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_COURSE_FUTURE,
                           _("The course starts more than a year from now."));
      return FALSE;
    }
  if (c->start_day < traj_records_first_day ())
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IMPLAUSIBLE,
                   _("The course starts before %d: check the date."), TRAJ_RECORDS_FROM_YEAR);
      return FALSE;
    }
  if (c->end_day != TRAJ_DAY_NONE && c->end_day > today + 366)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_COURSE_FUTURE,
                           _("The course ends more than a year from now: check the date."));
      return FALSE;
    }
  if (c->end_day != TRAJ_DAY_NONE && c->end_day < c->start_day)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_COURSE_DATES,
                           _("The course ends before it starts."));
      return FALSE;
    }
  if (!traj_scale_is_outcome (c->primary_scale))
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_SCALE_UNKNOWN,
                           _("Choose the course’s primary scale."));
      return FALSE;
    }
  return traj_validate_text (_("Protocol"), c->protocol, FALSE, error) &&
         traj_validate_text (_("Notes"), c->notes, TRUE, error);
}

gboolean
traj_validate_weight (double kg, GError **error)
{
  if (!(kg >= TRAJ_WEIGHT_MIN_KG && kg <= TRAJ_WEIGHT_MAX_KG))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_WEIGHT_RANGE,
                   _("Weight %.1f kg is outside %.0f–%.0f kg."),
                   kg, TRAJ_WEIGHT_MIN_KG, TRAJ_WEIGHT_MAX_KG);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_dose_is_fixed (TrajRoute route, TrajMedicine medicine)
{
  return route == TRAJ_ROUTE_INTRANASAL && medicine == TRAJ_MEDICINE_ESKETAMINE;
}

static const int esketamine_fixed_doses[TRAJ_ESKETAMINE_N_FIXED_DOSES] = { 28, 56, 84 };

int
traj_esketamine_fixed_dose (guint index)
{
  g_return_val_if_fail (index < TRAJ_ESKETAMINE_N_FIXED_DOSES, 0);
  return esketamine_fixed_doses[index];
}

gboolean
traj_is_esketamine_fixed_dose (double total_mg)
{
  for (guint k = 0; k < TRAJ_ESKETAMINE_N_FIXED_DOSES; k++)
    if (fabs (total_mg - esketamine_fixed_doses[k]) < 0.001)
      return TRUE;
  return FALSE;
}

double
traj_dose_total_mg (double weight_kg, double mg_per_kg)
{
  return round (weight_kg * mg_per_kg * 100) / 100;
}

gboolean
traj_validate_dose (TrajRoute route, TrajMedicine medicine,
                    double mg_per_kg, double total_mg, GError **error)
{
  /* A trial logged "esketamine IV 0.5 mg/kg": esketamine here is the nasal
   * spray (CLINICAL.md §5, the REMS monitoring record). */
  if (medicine == TRAJ_MEDICINE_ESKETAMINE && route != TRAJ_ROUTE_INTRANASAL)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_DOSE_RANGE,
                   _("Esketamine is recorded as the nasal spray (28, 56 or 84 mg), not %s: "
                     "choose the intranasal route, or racemic ketamine for an %s dose."),
                   traj_route_label (route), traj_route_label (route));
      return FALSE;
    }
  if (traj_dose_is_fixed (route, medicine))
    {
      if (!traj_is_esketamine_fixed_dose (total_mg))
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_ESKETAMINE_DOSE,
                       _("Intranasal esketamine is given as 28, 56 or 84 mg; %g mg is not one of them."),
                       total_mg);
          return FALSE;
        }
      return TRUE;
    }
  if (!(mg_per_kg >= TRAJ_DOSE_MIN_MG_PER_KG && mg_per_kg <= TRAJ_DOSE_MAX_MG_PER_KG))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_DOSE_RANGE,
                   _("A dose of %g mg/kg is outside %.2f–%.0f mg/kg (%s)."),
                   mg_per_kg, TRAJ_DOSE_MIN_MG_PER_KG, TRAJ_DOSE_MAX_MG_PER_KG,
                   traj_route_label (route));
      return FALSE;
    }
  if (!(total_mg > 0 && total_mg <= TRAJ_DOSE_MAX_MG_PER_KG * TRAJ_WEIGHT_MAX_KG))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_TOTAL_DOSE,
                   _("The total dose of %g mg is not plausible."), total_mg);
      return FALSE;
    }
  return TRUE;
}

char *
traj_dose_caution (TrajRoute route, TrajMedicine medicine, double mg_per_kg)
{
  if (traj_dose_is_fixed (route, medicine) || !(mg_per_kg > TRAJ_DOSE_USUAL_MAX_MG_PER_KG) ||
      mg_per_kg > TRAJ_DOSE_MAX_MG_PER_KG)
    return NULL;
  return g_strdup_printf (_("%g mg/kg is more than the usual 0.5–%g mg/kg of treatment protocols. Check the dose before saving."),
                          mg_per_kg, TRAJ_DOSE_USUAL_MAX_MG_PER_KG);
}

gboolean
traj_validate_total_dose (double weight_kg, double mg_per_kg, double total_mg, GError **error)
{
  double expected = weight_kg * mg_per_kg;

  if (fabs (total_mg - expected) > MAX (0.5, 0.01 * expected) + 1e-9)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_TOTAL_DOSE,
                   _("The total dose of %g mg does not match %g kg × %g mg/kg = %g mg."),
                   total_mg, weight_kg, mg_per_kg, round (expected * 100) / 100);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_duration (int minutes, GError **error)
{
  if (minutes < TRAJ_DURATION_MIN || minutes > TRAJ_DURATION_MAX)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_DURATION_RANGE,
                   _("Duration %d min is outside %d–%d minutes."),
                   minutes, TRAJ_DURATION_MIN, TRAJ_DURATION_MAX);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_infusion_time (gint64 started_at, gint64 now, GError **error)
{
  if (started_at == TRAJ_TIME_NONE)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("Enter the infusion date and start time."));
      return FALSE;
    }
  if (started_at > now + 24 * 3600)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INFUSION_FUTURE,
                           _("The infusion is dated more than a day ahead."));
      return FALSE;
    }
  return traj_validate_record_time (_("Infusion start"), started_at, G_MAXINT64, error);
}

gboolean
traj_validate_vital_value (guint field, int value, GError **error)
{
  const VitalRange *r;

  g_return_val_if_fail (field < G_N_ELEMENTS (vital_ranges), FALSE);
  r = &vital_ranges[field];
  if (value < 0)
    return TRUE;           /* not recorded */
  if (value < r->min || value > r->max)
    {
      g_set_error (error, TRAJ_ERROR, r->code, _("%s %d is outside %d–%d."),
                   _(r->what), value, r->min, r->max);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_vital_sign (const TrajVitalSign *v, GError **error)
{
  const int values[5] = { v->systolic, v->diastolic, v->heart_rate, v->spo2, v->resp_rate };
  gboolean any = FALSE;

  if (v->minute < -120 || v->minute > 24 * 60)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_VITAL_MINUTE,
                   _("A reading at minute %d is outside −120 to 1440 minutes."), v->minute);
      return FALSE;
    }
  for (guint f = 0; f < 5; f++)
    {
      if (!traj_validate_vital_value (f, values[f], error))
        return FALSE;
      any |= values[f] >= 0;
    }
  if ((v->systolic >= 0) != (v->diastolic >= 0))
    {
      g_set_error_literal (error, TRAJ_ERROR,
                           v->systolic >= 0 ? TRAJ_ERROR_VITAL_DIASTOLIC : TRAJ_ERROR_VITAL_SYSTOLIC,
                           _("Blood pressure needs both systolic and diastolic values."));
      return FALSE;
    }
  /* CLINICAL.md §7: a diastolic not below its systolic is a typing error
   * (80/120); so is a gap no circulation produces (300/20). */
  if (v->systolic >= 0 && v->diastolic >= v->systolic)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_VITAL_DIASTOLIC,
                   _("Blood pressure %d/%d: the diastolic value (%d) must be below the systolic (%d). "
                     "Check the reading for a typing error."),
                   v->systolic, v->diastolic, v->diastolic, v->systolic);
      return FALSE;
    }
  if (v->systolic >= 0 && v->systolic - v->diastolic > TRAJ_PULSE_PRESSURE_MAX)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_VITAL_DIASTOLIC,
                   _("Blood pressure %d/%d: systolic and diastolic are more than %d mmHg apart, "
                     "which no reading shows. Check the reading for a typing error."),
                   v->systolic, v->diastolic, TRAJ_PULSE_PRESSURE_MAX);
      return FALSE;
    }
  if (!any)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_VITAL_EMPTY,
                   _("The reading at minute %d has no values."), v->minute);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_infusion (const TrajInfusion *i, gint64 now, GError **error)
{
  if (!traj_validate_infusion_time (i->started_at, now, error) ||
      !traj_validate_duration (i->duration_min, error))
    return FALSE;
  if (!traj_dose_is_fixed (i->route, i->medicine) && !traj_validate_weight (i->weight_kg, error))
    return FALSE;
  if (traj_dose_is_fixed (i->route, i->medicine) && i->weight_kg != 0 &&
      !traj_validate_weight (i->weight_kg, error))
    return FALSE;
  if (!traj_validate_dose (i->route, i->medicine, i->dose_mg_per_kg, i->total_mg, error))
    return FALSE;
  if (!traj_dose_is_fixed (i->route, i->medicine) &&
      !traj_validate_total_dose (i->weight_kg, i->dose_mg_per_kg, i->total_mg, error))
    return FALSE;
  if (i->ready_at != TRAJ_TIME_NONE && (i->ready_at < i->started_at || i->ready_at > i->started_at + 24 * 3600))
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_IMPLAUSIBLE,
                           _("“Ready to leave” must be between the start of the infusion and 24 hours after it."));
      return FALSE;
    }
  if (!traj_validate_text (_("Lot number"), i->lot, FALSE, error) ||
      !traj_validate_text (_("Clinician"), i->clinician, FALSE, error) ||
      !traj_validate_text (_("Side-effect note"), i->side_effect_note, TRUE, error) ||
      !traj_validate_text (_("Notes"), i->notes, TRUE, error))
    return FALSE;
  if (i->monitoring_min < 0 || i->monitoring_min > 24 * 60)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_MONITORING_RANGE,
                   _("Monitoring time %d min is outside 0–1440 minutes."), i->monitoring_min);
      return FALSE;
    }
  if (!traj_validate_tolerability (i->cadss_total, i->moaas_lowest, error))
    return FALSE;
  /* The esketamine monitoring record's answers (traj-rems.h). */
  if (!traj_validate_text (_("REMS enrolment ID"), i->rems_patient_id, FALSE, error) ||
      !traj_validate_text (_("Monitored by"), i->rems_monitored_by, FALSE, error) ||
      !traj_validate_text (_("Adverse events"), i->rems_adverse_note, TRUE, error))
    return FALSE;
  {
    const int answers[] = { i->rems_first_session, i->rems_vitals_ok_before, i->rems_vitals_ok_leaving,
                            i->rems_sedation, i->rems_dissociation, i->rems_resp_depression, i->rems_adverse };

    for (guint k = 0; k < G_N_ELEMENTS (answers); k++)
      if (answers[k] < -1 || answers[k] > 1)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                       _("A monitoring record answer must be yes, no or not answered (not %d)."), answers[k]);
          return FALSE;
        }
  }
  for (guint k = 0; k < i->vitals->len; k++)
    if (!traj_validate_vital_sign (g_ptr_array_index (i->vitals, k), error))
      return FALSE;
  return TRUE;
}

gboolean
traj_validate_tolerability (int cadss_total, int moaas_lowest, GError **error)
{
  if (cadss_total < -1 || cadss_total > TRAJ_CADSS_MAX)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_TOLERABILITY_RANGE,
                   /* Translators: CADSS is the Clinician-Administered Dissociative States Scale */
                   _("A CADSS total of %d is outside 0–%d (23 items scored 0–4)."), cadss_total, TRAJ_CADSS_MAX);
      return FALSE;
    }
  if (moaas_lowest < -1 || moaas_lowest > TRAJ_MOAAS_MAX)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_TOLERABILITY_RANGE,
                   /* Translators: MOAA/S is the Modified Observer's Assessment of Alertness/Sedation */
                   _("A lowest MOAA/S of %d is outside 0–%d (0 = no response, 5 = responds readily to name)."),
                   moaas_lowest, TRAJ_MOAAS_MAX);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_assessment (const TrajAssessment *a, gint64 now, GError **error)
{
  const TrajScale *scale = traj_scale_get (a->scale);

  if (scale == NULL)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_SCALE_UNKNOWN,
                           _("Unknown scale."));
      return FALSE;
    }
  if (scale->measure != TRAJ_MEASURE_OUTCOME)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_SCALE_UNKNOWN,
                   _("%s is recorded with its infusion, not as scores."), _(scale->name));
      return FALSE;
    }
  if (a->taken_at == TRAJ_TIME_NONE)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("Enter when the scores were taken."));
      return FALSE;
    }
  if (a->taken_at > now + 3600)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_ASSESSMENT_FUTURE,
                           _("The assessment is dated in the future."));
      return FALSE;
    }
  if (!traj_validate_record_time (_("Assessment time"), a->taken_at, G_MAXINT64, error) ||
      !traj_validate_text (_("Clinician"), a->clinician, FALSE, error) ||
      !traj_validate_text (_("Notes"), a->notes, TRUE, error))
    return FALSE;
  if (scale->n_items == 0)
    {
      if (a->total < scale->total_min || a->total > scale->total_max)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_TOTAL_RANGE,
                       _("A %s total of %d is outside %d–%d."),
                       _(scale->name), a->total, scale->total_min, scale->total_max);
          return FALSE;
        }
      return TRUE;
    }
  for (guint k = 0; k < scale->n_items; k++)
    {
      if (a->items[k] == -1)
        continue;
      if (!traj_scale_item_valid (scale, a->items[k]))
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_ITEM_RANGE,
                       _("%s item %u: answer %d is outside %d–%d."),
                       _(scale->name), k + 1, a->items[k], scale->item_min, scale->item_max);
          return FALSE;
        }
    }
  for (guint k = scale->n_items; k < TRAJ_MAX_ITEMS; k++)
    if (a->items[k] != -1)
      {
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_ITEM_RANGE,
                     _("%s has %u items; an answer was given for item %u."),
                     _(scale->name), scale->n_items, k + 1);
        return FALSE;
      }
  if (a->difficulty != -1 && (!scale->has_difficulty || a->difficulty < 0 || a->difficulty > 3))
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_ITEM_RANGE,
                           _("The difficulty answer is outside 0–3."));
      return FALSE;
    }
  return TRUE;
}

/* ---- plausible dates and duplicates (CLINICAL.md §7) --------------------- */

static gboolean
course_ended_before (const TrajCourse *c, gint32 day)
{
  if (c->end_day != TRAJ_DAY_NONE)
    return day > c->end_day;
  return c->status == TRAJ_COURSE_ENDED;
}

gboolean
traj_validate_infusion_dates (const TrajInfusion        *i,
                              const TrajInfusionContext *ctx,
                              guint                     *warnings,
                              GError                   **error)
{
  gint32 day = traj_day_from_time (i->started_at);
  guint w = 0;

  g_return_val_if_fail (i != NULL && ctx != NULL, FALSE);

  if (warnings)
    *warnings = 0;
  if (ctx->birth_day != TRAJ_DAY_NONE && day < ctx->birth_day)
    {
      g_autofree char *on = traj_day_format (day);
      g_autofree char *born = traj_day_format (ctx->birth_day);
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_BEFORE_BIRTH,
                   _("The infusion is dated %s, before the patient’s birth date (%s)."), on, born);
      return FALSE;
    }
  if (ctx->course)
    {
      if (ctx->course->start_day != TRAJ_DAY_NONE && day < ctx->course->start_day - TRAJ_BEFORE_COURSE_DAYS)
        w |= TRAJ_DATE_WARNING_BEFORE_COURSE;
      if (course_ended_before (ctx->course, day))
        w |= TRAJ_DATE_WARNING_AFTER_COURSE_END;
    }
  if (ctx->nearest_infusion_at != TRAJ_TIME_NONE &&
      ABS (ctx->nearest_infusion_at - i->started_at) <= TRAJ_NEAR_INFUSION_MINUTES * 60)
    w |= TRAJ_DATE_WARNING_NEAR_INFUSION;
  if (warnings)
    *warnings = w;
  return TRUE;
}

char *
traj_infusion_date_warnings_message (const TrajInfusion        *i,
                                     const TrajInfusionContext *ctx,
                                     guint                      warnings)
{
  gint32 day = traj_day_from_time (i->started_at);
  g_autofree char *on = traj_day_format (day);
  GString *s;

  if (warnings == 0)
    return NULL;
  s = g_string_new (NULL);
  if ((warnings & TRAJ_DATE_WARNING_BEFORE_COURSE) && ctx->course)
    {
      g_autofree char *start = traj_day_format (ctx->course->start_day);
      int days = ctx->course->start_day - day;
      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE,
                                              "This infusion is dated %s, %d day before its course starts (%s).",
                                              "This infusion is dated %s, %d days before its course starts (%s).",
                                              (gulong) days),
                              on, days, start);
    }
  if ((warnings & TRAJ_DATE_WARNING_AFTER_COURSE_END) && ctx->course)
    {
      if (s->len)
        g_string_append_c (s, ' ');
      if (ctx->course->end_day != TRAJ_DAY_NONE)
        {
          g_autofree char *end = traj_day_format (ctx->course->end_day);
          g_string_append_printf (s, _("This infusion is dated %s, after its course ended (%s)."), on, end);
        }
      else
        g_string_append_printf (s, _("This infusion, dated %s, is logged into a course that has ended."), on);
    }
  if ((warnings & TRAJ_DATE_WARNING_NEAR_INFUSION) && ctx->nearest_infusion_at != TRAJ_TIME_NONE)
    {
      g_autofree char *other = traj_time_format (ctx->nearest_infusion_at);
      g_autofree char *mine = traj_time_format (i->started_at);
      int minutes = (int) (ABS (ctx->nearest_infusion_at - i->started_at) / 60);

      if (s->len)
        g_string_append_c (s, ' ');
      if (minutes == 0)
        g_string_append_printf (s, _("Another infusion of this patient started at the same time (%s): "
                                     "it may be the same infusion entered twice."), other);
      else
        g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE,
                                                "Another infusion of this patient started at %s, %d minute from this one (%s): "
                                                "it may be the same infusion entered twice.",
                                                "Another infusion of this patient started at %s, %d minutes from this one (%s): "
                                                "it may be the same infusion entered twice.",
                                                (gulong) minutes),
                                other, minutes, mine);
    }
  return g_string_free (s, FALSE);
}

gboolean
traj_validate_infusion_confirmed (const TrajInfusion        *i,
                                  const TrajInfusionContext *ctx,
                                  guint                     *warnings,
                                  GError                   **error)
{
  guint w = 0, open;

  if (ctx->other_medicine >= 0 && ctx->other_medicine != (int) i->medicine)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_COURSE_MEDICINE,
                   _("This course’s infusions are %s; an infusion of %s belongs in a course of its own."),
                   traj_medicine_label ((TrajMedicine) ctx->other_medicine), traj_medicine_label (i->medicine));
      return FALSE;
    }
  if (!traj_validate_infusion_dates (i, ctx, &w, error))
    return FALSE;
  if (warnings)
    *warnings = w;
  open = w & ~i->date_confirmed;
  if (open)
    {
      g_autofree char *why = traj_infusion_date_warnings_message (i, ctx, open);
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NEEDS_CONFIRMATION,
                   _("%s A clinician must confirm this date before the infusion is saved."), why);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_same_minute (gint64 a, gint64 b)
{
  /* Floor division: instants before 1970 fall in their own minute too. */
  gint64 ma = a >= 0 ? a / 60 : -((-a + 59) / 60);
  gint64 mb = b >= 0 ? b / 60 : -((-b + 59) / 60);
  return ma == mb;
}

gboolean
traj_validate_course_dates (const TrajCourse *c, gint32 birth_day, GError **error)
{
  if (birth_day != TRAJ_DAY_NONE && c->start_day != TRAJ_DAY_NONE && c->start_day < birth_day)
    {
      g_autofree char *on = traj_day_format (c->start_day);
      g_autofree char *born = traj_day_format (birth_day);

      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_BEFORE_BIRTH,
                   _("The course starts on %s, before the patient’s birth date (%s)."), on, born);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_assessment_dates (const TrajAssessment *a,
                                gint32                birth_day,
                                const TrajAssessment *same_minute,
                                GError              **error)
{
  const TrajScale *scale = traj_scale_get (a->scale);
  gint32 day = traj_day_from_time (a->taken_at);

  if (birth_day != TRAJ_DAY_NONE && day < birth_day)
    {
      g_autofree char *on = traj_day_format (day);
      g_autofree char *born = traj_day_format (birth_day);
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_BEFORE_BIRTH,
                   _("The scores are dated %s, before the patient’s birth date (%s)."), on, born);
      return FALSE;
    }
  if (a->complete && same_minute && same_minute->complete && same_minute->scale == a->scale &&
      traj_same_minute (a->taken_at, same_minute->taken_at))
    {
      g_autofree char *theirs = traj_time_format (same_minute->taken_at);
      g_autofree char *mine = traj_time_format (a->taken_at);
      const char *name = scale ? _(scale->name) : "";

      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_DUPLICATE_ASSESSMENT,
                   _("A complete %s (total %d) was already recorded for this patient at %s; this %s "
                     "(total %d, %s) is in the same minute, so it is probably the same questionnaire "
                     "entered twice. Change the time if it is another one."),
                   name, same_minute->total, theirs, name, a->total, mine);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_validate_flag_decision (const TrajFlagDecision *d, gint64 now, GError **error)
{
  TrajFindingKind kind;

  if (d->kind == NULL || *d->kind == '\0' || d->finding_key == NULL || *d->finding_key == '\0' ||
      d->decision == NULL || *d->decision == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Choose a decision for the finding."));
      return FALSE;
    }
  if (!traj_finding_kind_from_string (d->kind, &kind))
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Unknown kind of finding."));
      return FALSE;
    }
  if (!traj_decision_closes (kind, d->decision))
    {
      const char * const *codes = traj_finding_kind_decisions (kind);
      g_autofree char *list = g_strjoinv (", ", (char **) codes);

      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("A %s finding is decided with one of: %s."), d->kind, list);
      return FALSE;
    }
  if (!g_str_has_prefix (d->finding_key, d->kind) || d->finding_key[strlen (d->kind)] != ':')
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("The finding key must start with “%s:”."), d->kind);
      return FALSE;
    }
  if (!traj_validate_text (_("Finding key"), d->finding_key, FALSE, error) ||
      !traj_validate_text (_("Note"), d->note, TRUE, error) ||
      !traj_validate_text (_("Decided by"), d->decided_by, FALSE, error) ||
      !traj_validate_record_time (_("Fired at"), d->fired_at, now + 3600, error))
    return FALSE;
  if (d->decided_at != TRAJ_TIME_NONE &&
      !traj_validate_record_time (_("Decided at"), d->decided_at, now + 3600, error))
    return FALSE;
  return TRUE;
}

gboolean
traj_validate_course_medicine (const TrajPatientRecords *r,
                               const TrajInfusion       *i,
                               GError                  **error)
{
  for (guint k = 0; r != NULL && i->course_id != 0 && k < r->infusions->len; k++)
    {
      const TrajInfusion *o = g_ptr_array_index (r->infusions, k);

      if (o->course_id != i->course_id || o->id == i->id || o->deleted_at != 0 || o->medicine == i->medicine)
        continue;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_COURSE_MEDICINE,
                   _("This course’s infusions are %s; a session of %s belongs in a course of its own "
                     "(More → New Course), or choose %s."),
                   traj_medicine_label (o->medicine), traj_medicine_label (i->medicine),
                   traj_medicine_label (o->medicine));
      return FALSE;
    }
  return TRUE;
}
