/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Short secrets: the staff PIN and tablet check-in codes.
 *
 * Every check has the same shape, on purpose:
 *
 *   1. the client (the kiosk, a workstation) reads a salt that is not
 *      secret (traj_store_get_staff_pin_salt (), the clinic's check-in
 *      salt) and computes ONE Argon2id hash of what was typed with it
 *      (traj_secret_derive (), libsodium crypto_pwhash);
 *   2. the store compares that hash with the stored one (sodium_memcmp, or
 *      an equality lookup for check-in codes) and counts the attempt
 *      against a clinic-wide limit, in one transaction.
 *
 * So nothing secret ever has to be read by the client: on a clinic server
 * step 2 is a function the tablet's login may call (PostgreSQL: SECURITY
 * DEFINER) while it can read no stored hash; and a check-in costs one Argon2id
 * computation however many codes are open, because check-in codes share one
 * clinic-wide salt and their hashes are looked up by equality (a code is
 * short-lived and single-use; with the optional second factor, the birth
 * date, the hashed secret is not a 6-digit number at all).
 *
 * A salt string carries its own cost: "argon2id$t=2$m=32768$<32 hex digits>"
 * (t: passes, m: memory in KiB), so the cost can be raised later without
 * losing existing hashes. */

/* The cost of new salts: one hash takes under 0.3 s on a clinic tablet
 * (measured with `meson test --benchmark secret`). */
#define TRAJ_SECRET_PASSES      2
#define TRAJ_SECRET_MEMORY_KIB  (32 * 1024)

/* A fresh random salt string with the current cost. */
char     *traj_secret_new_salt      (void);
/* Argon2id of @secret with @salt, as 64 hex digits; NULL with an error when
 * @salt is malformed or the hash cannot be computed (out of memory). */
char     *traj_secret_derive        (const char  *secret,
                                     const char  *salt,
                                     GError     **error);
/* How many hashes this process has derived so far (for tests and
 * benchmarks: one per check, however many codes are open). */
guint     traj_secret_n_derived     (void);
/* Whether two hashes (hex) are equal, in constant time (sodium_memcmp).
 * Malformed or different-length input is never equal. */
gboolean  traj_secret_equal         (const char  *hash_a,
                                     const char  *hash_b);
/* A uniformly random number below @upper (libsodium's generator). */
guint32   traj_secret_random_below  (guint32      upper);
/* 32 random bits. */
guint32   traj_secret_random        (void);

/* ---- limits on wrong attempts -------------------------------------------------------
 *
 * Wrong attempts are counted per device (a kiosk's id, kept by the
 * installation and never typed by a patient; a workstation's), so a patient
 * at one tablet cannot make every other tablet, or the staff at their
 * workstations, wait. Above the devices' counts, a clinic-wide ceiling
 * counts every kiosk's wrong attempts together: it stops an attacker who
 * moves between tablets (or, on a server, makes up device ids) and holds
 * kiosks only, so a workstation (the clinician window, the CLI: someone who
 * has the clinic file or a server login anyway) can always still check and
 * change the PIN.
 *
 * Both counts work the same way, a leaky bucket: each wrong attempt adds
 * one; one is forgotten per quiet "leak" interval; from the FREE-th one in
 * the bucket, each wrong attempt makes the next one wait 30 s, doubling up
 * to an hour (PIN) or 15 minutes (check-in codes). A right attempt empties
 * nothing but the PIN's own device count: a good check-in does not forgive
 * wrong codes typed before it (they may be someone else's guesses), time
 * does.
 *
 *                 free  leak (one forgotten per)
 *   device          5   10 minutes
 *   clinic (kiosks)20    2 minutes
 *
 * A clinic server's functions for the tablet's login compute the same
 * (traj_secret_attempt_fail () and traj_secret_attempt_wait_until () are
 * the whole rule). */

typedef enum {
  TRAJ_SECRET_STAFF_PIN,
  TRAJ_SECRET_CHECKIN,
  TRAJ_N_SECRETS
} TrajSecretKind;

typedef enum {
  TRAJ_SECRET_SCOPE_DEVICE,
  TRAJ_SECRET_SCOPE_CLINIC,
  TRAJ_N_SECRET_SCOPES
} TrajSecretScope;

#define TRAJ_SECRET_DEVICE_FREE    5
#define TRAJ_SECRET_DEVICE_LEAK_S  (10 * 60)
#define TRAJ_SECRET_CLINIC_FREE    20
#define TRAJ_SECRET_CLINIC_LEAK_S  (2 * 60)
#define TRAJ_SECRET_FIRST_DELAY_S  30

/* One count of wrong attempts, as stored. */
typedef struct {
  gint64 failures;          /* in the bucket at last_failure_at */
  gint64 locked_until;      /* Unix time; no attempt is taken before it */
  gint64 last_failure_at;   /* Unix time */
} TrajSecretAttempts;

/* The wrong attempts still in the bucket at @now (one leaks out per quiet
 * leak interval since the last). */
gint64    traj_secret_attempt_current (TrajSecretScope            scope,
                                       const TrajSecretAttempts  *attempts,
                                       gint64                     now);
/* How long the next attempt waits once @failures are in the bucket:
 * nothing below the scope's free count, 30 s at it, doubling with each one
 * after, up to an hour for the PIN and 15 minutes for check-in codes. */
gint64    traj_secret_attempt_delay   (TrajSecretKind   kind,
                                       TrajSecretScope  scope,
                                       gint64           failures);
/* Counts one wrong attempt at @now in @attempts. */
void      traj_secret_attempt_fail    (TrajSecretKind       kind,
                                       TrajSecretScope      scope,
                                       TrajSecretAttempts  *attempts,
                                       gint64               now);
/* Until when the next attempt from a device waits (0: it does not), given
 * the device's count and the clinic's (@clinic NULL, or ignored when
 * @kiosk is FALSE: workstations pass the clinic-wide ceiling). */
gint64    traj_secret_attempt_wait_until (const TrajSecretAttempts *device,
                                          const TrajSecretAttempts *clinic,
                                          gboolean                  kiosk,
                                          gint64                    now);

/* The staff PIN's rules: 6 to 12 digits (8 or more recommended: a clinic
 * file's hash can be attacked offline, see README "Kiosk security"), and
 * none of what people try first. Refused, in this order, each with a
 * message that says why:
 *   - fewer than 4 different digits (000001, 112233, 121212);
 *   - counting: numbers counted up or down by a fixed step written one
 *     after another, at least three (123456, 246810, 102030, 9101112), or
 *     every digit the same step from the one before, round the dial
 *     (135791, 890123);
 *   - repeating: a shorter block over and over (123123) or every digit
 *     written twice or more (11223344);
 *   - palindromes (123321, 1234554321);
 *   - straight lines on the keypad, three keys at a time: rows, columns,
 *     diagonals, either way (147258, 159357, 789456);
 *   - dates and years: day, month and year in any usual order with a 2- or
 *     4-digit year (010190, 17031985, 19900101), a year and a month (199001,
 *     011990), and PINs of up to 8 digits that begin or end with a year
 *     from 1930 to 2039 (198542).
 * FALSE with TRAJ_ERROR_INVALID and that message otherwise. */
#define TRAJ_SECRET_PIN_MIN 6
#define TRAJ_SECRET_PIN_MAX 12
#define TRAJ_SECRET_PIN_RECOMMENDED 8
gboolean  traj_secret_check_new_pin (const char  *pin,
                                     GError     **error);

/* Writes zeros over @s (a PIN or code just typed) and frees it. */
void      traj_secret_free          (char        *s);

/* g_auto (TrajSecretString): a string that is wiped when it goes. */
typedef char *TrajSecretString;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (TrajSecretString, traj_secret_free, NULL)

G_END_DECLS
