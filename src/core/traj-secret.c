/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Argon2id hashing of short secrets (libsodium); see traj-secret.h for why
 * every check is "derive here, compare and count in the store". */
#define G_LOG_DOMAIN "traj-secret"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "traj-error.h"
#include "traj-secret.h"

#define SALT_BYTES crypto_pwhash_SALTBYTES     /* 16 */
#define HASH_BYTES 32

static guint n_derived;

static void
ensure_sodium (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* Without its random source libsodium cannot work at all. */
      if (sodium_init () < 0)
        g_error ("libsodium could not be initialised");
      g_once_init_leave (&done, 1);
    }
}

guint32
traj_secret_random (void)
{
  ensure_sodium ();
  return randombytes_random ();
}

guint32
traj_secret_random_below (guint32 upper)
{
  ensure_sodium ();
  return upper ? randombytes_uniform (upper) : 0;
}

char *
traj_secret_new_salt (void)
{
  guint8 salt[SALT_BYTES];
  char hex[SALT_BYTES * 2 + 1];

  ensure_sodium ();
  randombytes_buf (salt, sizeof salt);
  sodium_bin2hex (hex, sizeof hex, salt, sizeof salt);
  return g_strdup_printf ("argon2id$t=%u$m=%u$%s", TRAJ_SECRET_PASSES, TRAJ_SECRET_MEMORY_KIB, hex);
}

/* "argon2id$t=T$m=M$HEX" → its parts; FALSE when malformed or out of the
 * range libsodium accepts. */
static gboolean
parse_salt (const char *salt, guint64 *passes, guint64 *memory_kib, guint8 bytes[SALT_BYTES])
{
  g_auto(GStrv) parts = NULL;
  gsize n = 0;
  char *end = NULL;

  if (salt == NULL)
    return FALSE;
  parts = g_strsplit (salt, "$", -1);
  if (g_strv_length (parts) != 4 || !g_str_equal (parts[0], "argon2id") ||
      !g_str_has_prefix (parts[1], "t=") || !g_str_has_prefix (parts[2], "m="))
    return FALSE;
  *passes = g_ascii_strtoull (parts[1] + 2, &end, 10);
  if (*end != '\0' || *passes < crypto_pwhash_OPSLIMIT_MIN || *passes > 64)
    return FALSE;
  *memory_kib = g_ascii_strtoull (parts[2] + 2, &end, 10);
  if (*end != '\0' || *memory_kib * 1024 < crypto_pwhash_MEMLIMIT_MIN || *memory_kib > 4 * 1024 * 1024)
    return FALSE;
  if (strlen (parts[3]) != SALT_BYTES * 2 ||
      sodium_hex2bin (bytes, SALT_BYTES, parts[3], strlen (parts[3]), NULL, &n, NULL) != 0 || n != SALT_BYTES)
    return FALSE;
  return TRUE;
}

char *
traj_secret_derive (const char  *secret,
                    const char  *salt,
                    GError     **error)
{
  guint8 bytes[SALT_BYTES], out[HASH_BYTES];
  char hex[HASH_BYTES * 2 + 1];
  guint64 passes = 0, memory_kib = 0;

  g_return_val_if_fail (secret != NULL, NULL);
  ensure_sodium ();

  if (!parse_salt (salt, &passes, &memory_kib, bytes))
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT,
                           _("The clinic’s stored salt for secrets is damaged."));
      return NULL;
    }
  g_atomic_int_inc (&n_derived);
  if (crypto_pwhash (out, sizeof out, secret, strlen (secret), bytes, passes, (size_t) memory_kib * 1024,
                     crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                           _("Not enough memory to check the code. Close other programs and try again."));
      return NULL;
    }
  sodium_bin2hex (hex, sizeof hex, out, sizeof out);
  sodium_memzero (out, sizeof out);
  return g_strdup (hex);
}

guint
traj_secret_n_derived (void)
{
  return (guint) g_atomic_int_get (&n_derived);
}

gboolean
traj_secret_equal (const char *hash_a,
                   const char *hash_b)
{
  guint8 a[HASH_BYTES], b[HASH_BYTES];
  gsize na = 0, nb = 0;

  ensure_sodium ();
  if (hash_a == NULL || hash_b == NULL ||
      strlen (hash_a) != HASH_BYTES * 2 || strlen (hash_b) != HASH_BYTES * 2 ||
      sodium_hex2bin (a, sizeof a, hash_a, HASH_BYTES * 2, NULL, &na, NULL) != 0 ||
      sodium_hex2bin (b, sizeof b, hash_b, HASH_BYTES * 2, NULL, &nb, NULL) != 0 ||
      na != HASH_BYTES || nb != HASH_BYTES)
    return FALSE;
  return sodium_memcmp (a, b, HASH_BYTES) == 0;
}

/* ---- limits on wrong attempts ---------------------------------------------------- */

static const gint64 longest_delay[TRAJ_N_SECRETS] = { 3600, 15 * 60 };
static const gint64 scope_free[TRAJ_N_SECRET_SCOPES] = { TRAJ_SECRET_DEVICE_FREE, TRAJ_SECRET_CLINIC_FREE };
static const gint64 scope_leak[TRAJ_N_SECRET_SCOPES] = { TRAJ_SECRET_DEVICE_LEAK_S, TRAJ_SECRET_CLINIC_LEAK_S };

gint64
traj_secret_attempt_current (TrajSecretScope           scope,
                             const TrajSecretAttempts *attempts,
                             gint64                    now)
{
  gint64 quiet;

  g_return_val_if_fail (scope < TRAJ_N_SECRET_SCOPES, 0);
  g_return_val_if_fail (attempts != NULL, 0);
  if (attempts->failures <= 0)
    return 0;
  /* A clock that went back forgets nothing. */
  quiet = MAX (now - attempts->last_failure_at, 0);
  return MAX (attempts->failures - quiet / scope_leak[scope], 0);
}

gint64
traj_secret_attempt_delay (TrajSecretKind  kind,
                           TrajSecretScope scope,
                           gint64          failures)
{
  gint64 delay = TRAJ_SECRET_FIRST_DELAY_S;

  g_return_val_if_fail (kind < TRAJ_N_SECRETS, 0);
  g_return_val_if_fail (scope < TRAJ_N_SECRET_SCOPES, 0);
  if (failures < scope_free[scope])
    return 0;
  for (gint64 k = scope_free[scope]; k < failures && delay < longest_delay[kind]; k++)
    delay *= 2;
  return MIN (delay, longest_delay[kind]);
}

void
traj_secret_attempt_fail (TrajSecretKind      kind,
                          TrajSecretScope     scope,
                          TrajSecretAttempts *attempts,
                          gint64              now)
{
  gint64 delay;

  g_return_if_fail (attempts != NULL);
  attempts->failures = traj_secret_attempt_current (scope, attempts, now) + 1;
  attempts->last_failure_at = now;
  delay = traj_secret_attempt_delay (kind, scope, attempts->failures);
  attempts->locked_until = delay ? now + delay : 0;
}

gint64
traj_secret_attempt_wait_until (const TrajSecretAttempts *device,
                                const TrajSecretAttempts *clinic,
                                gboolean                  kiosk,
                                gint64                    now)
{
  gint64 until = device ? device->locked_until : 0;

  if (kiosk && clinic)
    until = MAX (until, clinic->locked_until);
  return until > now ? until : 0;
}

/* ---- new PINs: the deny rules (traj-secret.h) ------------------------------------- */

/* Whether @pin is numbers counted up or down by one fixed step, written one
 * after another (123456, 246810, 102030, 9101112, 987654), at least three
 * whole ones (and the last may be cut short). */
static gboolean
counts (const char *pin, gsize n)
{
  for (gsize la = 1; la <= 3 && la < n; la++)
    for (gsize lb = 1; lb <= 3 && la + lb < n; lb++)
      {
        g_autofree char *sa = g_strndup (pin, la), *sb = g_strndup (pin + la, lb);
        gint64 a = g_ascii_strtoll (sa, NULL, 10), b = g_ascii_strtoll (sb, NULL, 10);
        gint64 step = b - a, next = b;
        gsize pos = la + lb;
        guint terms = 2;

        /* A number written with a leading zero is not how people count. */
        if (step == 0 || (la > 1 && sa[0] == '0') || (lb > 1 && sb[0] == '0'))
          continue;
        while (pos < n)
          {
            char term[24];
            gsize len;

            next += step;
            if (next < 0)
              break;
            len = (gsize) g_snprintf (term, sizeof term, "%" G_GINT64_FORMAT, next);
            if (strncmp (pin + pos, term, MIN (len, n - pos)) != 0)
              break;
            /* A number cut short at the end is allowed, but not counted. */
            terms += pos + len <= n;
            pos += MIN (len, n - pos);
          }
        if (pos == n && terms >= 3)
          return TRUE;
      }
  return FALSE;
}

/* Whether each digit follows the one before by the same step, round the
 * dial (135791, 890123, 147036). */
static gboolean
steps_evenly (const char *pin, gsize n)
{
  int step = (pin[1] - pin[0] + 10) % 10;

  for (gsize k = 2; k < n; k++)
    if ((pin[k] - pin[k - 1] + 10) % 10 != step)
      return FALSE;
  return TRUE;
}

/* Whether the PIN counts by a steady step round the dial but for one step
 * (123457, 987650, 123412, 135246, 246813): of its steps from digit to
 * digit (mod 10), at most one differs from the most common one. */
static gboolean
nearly_steps_evenly (const char *pin, gsize n)
{
  guint count[10] = { 0 }, most = 0;

  for (gsize k = 1; k < n; k++)
    count[(pin[k] - pin[k - 1] + 10) % 10]++;
  for (guint s = 0; s < 10; s++)
    most = MAX (most, count[s]);
  return most + 1 >= n - 1;
}

/* Whether the PIN weaves two runs that count by one together: every other
 * digit counts up or down by one, and so do the digits between (102938 is
 * 1 2 3 and 0 9 8, the number row from both ends inwards). */
static gboolean
weaves_counting (const char *pin, gsize n)
{
  for (gsize k = 2; k < n; k++)
    {
      int step = (pin[k] - pin[k - 2] + 10) % 10;

      if ((step != 1 && step != 9) || (k >= 4 && step != (pin[k - 2] - pin[k - 4] + 10) % 10))
        return FALSE;
    }
  return TRUE;
}

/* Whether @len digits count by one or two, up or down, round the dial. */
static gboolean
counts_by_one_or_two (const char *digits, gsize len)
{
  int step = (digits[1] - digits[0] + 10) % 10;

  if (step != 1 && step != 2 && step != 8 && step != 9)
    return FALSE;
  for (gsize k = 2; k < len; k++)
    if ((digits[k] - digits[k - 1] + 10) % 10 != step)
      return FALSE;
  return TRUE;
}

/* Whether the PIN is two runs of two or more digits, one after the other,
 * each counting by one or two, up or down (098123: 0 9 8 then 1 2 3;
 * 135642: 1 3 5 then 6 4 2; 864213: 8 6 4 2 then 1 3, a trial's find).
 * PINs have six digits or more, so a run of two goes with one of four. */
static gboolean
two_counting_runs (const char *pin, gsize n)
{
  for (gsize split = 2; split + 2 <= n; split++)
    if (counts_by_one_or_two (pin, split) && counts_by_one_or_two (pin + split, n - split))
      return TRUE;
  return FALSE;
}

/* Whether the PIN repeats itself: a shorter block over and over (121212,
 * 123123) or every digit written twice or more (112233, 111222). */
static gboolean
repeats (const char *pin, gsize n)
{
  for (gsize p = 1; p <= n / 2; p++)
    if (n % p == 0)
      {
        gboolean same = TRUE;
        for (gsize k = p; k < n && same; k++)
          same = pin[k] == pin[k - p];
        if (same)
          return TRUE;
      }
  for (gsize run = 2; run <= n / 2; run++)
    if (n % run == 0)
      {
        gboolean doubled = TRUE;
        for (gsize k = 0; k < n && doubled; k++)
          doubled = pin[k] == pin[k - k % run];
        if (doubled)
          return TRUE;
      }
  return FALSE;
}

/* Whether the PIN is the start of a number people know by heart — π,
 * e, the golden ratio, √2, the Fibonacci numbers, a song's phone number —
 * or any part of 1/7's repeating digits (142857, 285714). */
static gboolean
well_known (const char *pin, gsize n)
{
  static const char *starts[] = {
    "314159265358979323846",   /* π */
    "271828182845904523536",   /* e */
    "161803398874989484820",   /* the golden ratio */
    "141421356237309504880",   /* √2 */
    "173205080756887729352",   /* √3 */
    "112358132134558914423",   /* Fibonacci */
    "8675309",                 /* "867-5309/Jenny" */
  };

  for (guint k = 0; k < G_N_ELEMENTS (starts); k++)
    if (strlen (starts[k]) >= n && strncmp (starts[k], pin, n) == 0)
      return TRUE;
  return strstr ("142857142857142857", pin) != NULL;
}

static gboolean
palindrome (const char *pin, gsize n)
{
  for (gsize k = 0; k < n / 2; k++)
    if (pin[k] != pin[n - 1 - k])
      return FALSE;
  return TRUE;
}

/* Whether the PIN is straight lines on the keypad (1 2 3 / 4 5 6 / 7 8 9 /
 * 0 under 8), three keys at a time: rows, columns and diagonals, either way
 * (147258, 159357, 789456, 258036). */
static gboolean
keypad_lines (const char *pin, gsize n)
{
  static const int row[10] = { 3, 0, 0, 0, 1, 1, 1, 2, 2, 2 };
  static const int col[10] = { 1, 0, 1, 2, 0, 1, 2, 0, 1, 2 };

  for (gsize start = 0; start < n; start += 3)
    {
      gsize end = MIN (start + 3, n);
      int dr = 0, dc = 0;

      for (gsize k = start + 1; k < end; k++)
        {
          int a = pin[k - 1] - '0', b = pin[k] - '0';
          int r = row[b] - row[a], c = col[b] - col[a];

          if (k == start + 1)
            {
              dr = r;
              dc = c;
            }
          if (r != dr || c != dc || ABS (r) > 1 || ABS (c) > 1 || (r == 0 && c == 0))
            return FALSE;
        }
    }
  return TRUE;
}

static int
number (const char *s, gsize len)
{
  int v = 0;

  for (gsize k = 0; k < len; k++)
    v = v * 10 + (s[k] - '0');
  return v;
}

static gboolean
is_year (int y)
{
  return y >= 1930 && y <= 2039;
}

static gboolean
is_day_month (int d, int m)
{
  static const int days[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  return m >= 1 && m <= 12 && d >= 1 && d <= days[m];
}

/* Whether the PIN reads as a date or a year: day, month and year in any
 * usual order with a 2- or 4-digit year (010190, 17031985, 19900101), a
 * year and a month (199001, 011990), or, up to 8 digits, a PIN that begins
 * or ends with a year from 1930 to 2039 (198542, 19852024). */
static gboolean
date_like (const char *pin, gsize n)
{
  if (n == 6 || n == 8)
    {
      gsize yl = n - 4;     /* the year's digits: 2 or 4 */
      int y_last = number (pin + 4, yl), y_first = number (pin, yl);

      if ((is_day_month (number (pin, 2), number (pin + 2, 2)) ||       /* DDMM YY(YY) */
           is_day_month (number (pin + 2, 2), number (pin, 2))) &&      /* MMDD YY(YY) */
          (yl == 2 || is_year (y_last)))
        return TRUE;
      if (is_day_month (number (pin + yl + 2, 2), number (pin + yl, 2)) &&  /* YY(YY) MMDD */
          (yl == 2 || is_year (y_first)))
        return TRUE;
    }
  if (n == 6 && ((is_year (number (pin, 4)) && is_day_month (1, number (pin + 4, 2))) ||
                 (is_year (number (pin + 2, 4)) && is_day_month (1, number (pin, 2)))))
    return TRUE;
  if (n <= 8 && (is_year (number (pin, 4)) || is_year (number (pin + n - 4, 4))))
    return TRUE;
  return FALSE;
}

gboolean
traj_secret_check_new_pin (const char  *pin,
                           GError     **error)
{
  gsize n = pin ? strlen (pin) : 0;
  gboolean seen[10] = { FALSE };
  guint distinct = 0;
  const char *why = NULL;
  const char *counting = _("That PIN counts up or down, or nearly (like 123456, 246810 or 123457), which is "
                           "among the first things people try. Choose digits without a pattern.");

  for (gsize k = 0; k < n; k++)
    if (!g_ascii_isdigit (pin[k]))
      {
        g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("The PIN can hold digits only."));
        return FALSE;
      }
  if (n < TRAJ_SECRET_PIN_MIN || n > TRAJ_SECRET_PIN_MAX)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("The PIN needs %d to %d digits."),
                   TRAJ_SECRET_PIN_MIN, TRAJ_SECRET_PIN_MAX);
      return FALSE;
    }
  for (gsize k = 0; k < n; k++)
    if (!seen[pin[k] - '0'])
      {
        seen[pin[k] - '0'] = TRUE;
        distinct++;
      }
  if (distinct < 4)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   ngettext ("That PIN uses only %u different digit. Use at least 4 different digits.",
                             "That PIN uses only %u different digits (like 112233). Use at least 4 different digits.",
                             distinct), distinct);
      return FALSE;
    }
  if (well_known (pin, n))
    why = _("That PIN is a well-known number (like 314159, the start of π, or 142857), which is among the "
            "first things people try. Choose digits without a pattern.");
  else if (counts (pin, n))
    why = counting;
  /* Before the steps round the dial: 369258 is two keypad columns. */
  else if (keypad_lines (pin, n))
    why = _("That PIN follows lines on the keypad (like 147258 or 159357). Choose digits without a pattern.");
  else if (steps_evenly (pin, n))
    why = counting;
  else if (repeats (pin, n))
    why = _("That PIN repeats itself (like 121212 or 11223344). Choose digits without a pattern.");
  else if (palindrome (pin, n))
    why = _("That PIN reads the same backwards (like 123321). Choose digits without a pattern.");
  else if (nearly_steps_evenly (pin, n))
    why = counting;
  /* Before the dates: 102938 reads as 29 Oct 1938, but that is not why. */
  else if (weaves_counting (pin, n))
    why = _("That PIN weaves two counting runs together (like 102938: 1 2 3 and 0 9 8), which is among the "
            "first things people try. Choose digits without a pattern.");
  else if (two_counting_runs (pin, n))
    why = _("That PIN is two counting runs one after the other (like 098123: 0 9 8, then 1 2 3), which is among "
            "the first things people try. Choose digits without a pattern.");
  else if (date_like (pin, n))
    why = _("That PIN reads as a date or a year (like 010190 or 199001), which is easy to guess. "
            "Choose digits that are not a date.");
  if (why)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, why);
      return FALSE;
    }
  return TRUE;
}

void
traj_secret_free (char *s)
{
  if (s == NULL)
    return;
  sodium_memzero (s, strlen (s));
  g_free (s);
}
