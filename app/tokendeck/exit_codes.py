"""The exit codes of `tokendeck` and its verbs (each verb's --help lists its own)."""

EXIT_OK = 0
EXIT_PROBLEM = 1  # inspect: the token is expired or invalid; token: no token can be given now
EXIT_NOT_A_TOKEN = 2  # inspect: no token given, not a token, or the key could not be read
EXIT_NOT_FOUND = 2  # token: no such profile or account
EXIT_USAGE = 2  # every verb: a bad command line (argparse's own code)
EXIT_QUIT_STUCK = 3  # window: quitting did not finish in time; the stacks are in the log
EXIT_INTERRUPTED = 130  # a command stopped by Ctrl+C before it finished
