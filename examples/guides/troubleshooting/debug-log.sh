# A debug log of one run, to read or to attach to a bug report. The provider
# masks every secret in its lines, but the log also holds the CLI's own: read
# it before you share it. With Terraform, type terraform for tofu.
export TF_LOG_PATH=zoho-debug.log # the log goes to this file, not to the terminal
export TF_LOG_PROVIDER=DEBUG      # providers' lines only, not the CLI's
tofu plan
# The provider's lines: @module=zoho (settings, tokens by fingerprint) and
# @module=zoho.oauth (each request to Zoho Accounts and its answer).
grep -E '@module=zoho(\.oauth)?( |$)' zoho-debug.log
