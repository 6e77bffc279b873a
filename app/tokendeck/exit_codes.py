"""The exit codes of `tokendeck` and its verbs, and the text each verb's --help ends with."""

EXIT_OK = 0
EXIT_PROBLEM = 1  # inspect: the token is expired or invalid; token: no token can be given now
EXIT_NOT_A_TOKEN = 2  # inspect: no token given, not a token, or the key could not be read
EXIT_NOT_FOUND = 2  # token: no such profile or account
EXIT_USAGE = 2  # every verb: a bad command line (argparse's own code)
EXIT_QUIT_STUCK = 3  # window: quitting did not finish in time; the stacks are in the log
EXIT_INTERRUPTED = 130  # a command stopped by Ctrl+C before it finished

WINDOW_EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}  the window was closed (or an already running window was raised)
  {EXIT_PROBLEM}  --demo without the sandbox installed (pip install 'tokendeck[sandbox]')
  {EXIT_USAGE}  bad command line
  {EXIT_QUIT_STUCK}  quitting did not finish within a few seconds, so it was cut short (nothing is
     lost; every thread's stack is in the log, for a bug report)"""

INSPECT_EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}  the token is well-formed and usable (and verified, when a key was given)
  {EXIT_PROBLEM}  it is expired or invalid (not yet valid, bad signature, alg none, a broken
     claim), or a key was given and did not verify it
  {EXIT_NOT_A_TOKEN}  no token was given, the input is not a token, the key could not be read or
     fetched, or a bad command line"""

TOKEN_EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}  the token was printed (alone, on standard output)
  {EXIT_PROBLEM}  no token can be given now (the secret store is closed, the account is not
     signed in, a refresh failed, ...): the reason is on standard error
  {EXIT_NOT_FOUND}  no such profile or account, or a bad command line
  {EXIT_INTERRUPTED}  interrupted (Ctrl+C at the password prompt)"""

EXEC_EXIT_CODES = f"""\
exit codes:
  the command's own (TokenDeck becomes the command), or when it could not be run:
  {EXIT_PROBLEM}  no token can be given now (the secret store is closed, the account is not
     signed in, a refresh failed, ...): the reason is on standard error
  {EXIT_NOT_FOUND}  no such profile or account, no command, or a bad command line or variable
  126  the command cannot be run;  127  the command was not found
  {EXIT_INTERRUPTED}  interrupted (Ctrl+C at the password prompt)"""

CALENDAR_EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}  the calendar was written to standard output (it may hold no event)
  {EXIT_PROBLEM}  the catalog could not be read
  {EXIT_NOT_FOUND}  no such profile, or a bad command line"""

IMPORT_EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}  every credential chosen was imported and read back (or was already held), or
     nothing was chosen
  {EXIT_PROBLEM}  one was not imported or could not be read back, a plaintext copy could not be
     taken out, or the secret store is closed: the reason is on standard error
  {EXIT_NOT_FOUND}  no such profile, nothing TokenDeck knows in the files, or a bad command line
  {EXIT_INTERRUPTED}  interrupted (Ctrl+C at a question)"""

SANDBOX_EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}  stopped cleanly (Ctrl+C or SIGTERM)
  {EXIT_PROBLEM}  the emulator could not start (a port already in use, the sandbox extra not
     installed, ...)
  {EXIT_USAGE}  bad command line (an unknown --fault, ...)"""

TOP_EXIT_CODES = f"""\
exit codes (details in tokendeck VERB --help):
  window   {EXIT_OK} closed, {EXIT_PROBLEM} --demo without the sandbox installed, {EXIT_QUIT_STUCK} quit cut short
  inspect  {EXIT_OK} ok, {EXIT_PROBLEM} expired or invalid, {EXIT_NOT_A_TOKEN} no token / not a token / bad key
  token    {EXIT_OK} printed, {EXIT_PROBLEM} cannot give one now, {EXIT_NOT_FOUND} no such profile or account
  calendar {EXIT_OK} written, {EXIT_PROBLEM} the catalog could not be read, {EXIT_NOT_FOUND} no such profile
  import   {EXIT_OK} imported, {EXIT_PROBLEM} one was not, {EXIT_NOT_FOUND} no profile / nothing found
  exec     the command's code, {EXIT_PROBLEM} cannot give a token now, {EXIT_NOT_FOUND} no such profile or account
  sandbox  {EXIT_OK} stopped cleanly, {EXIT_PROBLEM} could not start
  every verb exits {EXIT_USAGE} on a bad command line"""
