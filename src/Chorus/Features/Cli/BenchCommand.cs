using System.CommandLine;
using Chorus.Features.Cli.Bench;

namespace Chorus.Features.Cli;

/// `chorus bench`: builds a synthetic workspace through the real pipeline and measures it (see bench/README.md).
public static class BenchCommand
{
    public static Command Create()
    {
        var messages = new Option<int>("--messages") { Description = "Inbound messages to ingest", DefaultValueFactory = _ => 1_000_000 };
        var people = new Option<int>("--people") { Description = "Distinct people writing in", DefaultValueFactory = _ => 100_000 };
        var conversations = new Option<int>("--conversations") { Description = "Conversations the messages thread into", DefaultValueFactory = _ => 300_000 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fresh directory for the benchmark workspace (default: a new one under /tmp)" };
        var provider = new Option<string>("--provider") { Description = "sqlite or postgres", DefaultValueFactory = _ => "sqlite" };
        provider.AcceptOnlyFromAmong("sqlite", "postgres");
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL server to create a fresh benchmark database on (with --provider postgres)" };
        var skipHttp = new Option<bool>("--skip-http") { Description = "Skip the server measurements (start-up, memory, HTTP load)" };
        var skipCeiling = new Option<bool>("--skip-ceiling") { Description = "Skip the raw-insert ceiling (SQLite only)" };
        var requests = new Option<int>("--requests") { Description = "POST /api/v1/inbound requests in the HTTP load (after 2,000 warm-up ones)", DefaultValueFactory = _ => 60_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent HTTP clients", DefaultValueFactory = _ => 32 };
        var runs = new Option<int>("--runs") { Description = "Timed runs of each inbox view and search", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic workspace", DefaultValueFactory = _ => 20261123 };
        var keep = new Option<bool>("--keep") { Description = "Keep the benchmark workspace afterwards (it is deleted by default)" };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };

        var cmd = new Command("bench", "Build a synthetic workspace through the real ingest pipeline and measure ingest, HTTP inbound, inbox views, search, start-up and memory.")
        {
            messages, people, conversations, dataDir, provider, connection, skipHttp, skipCeiling, requests, concurrency, runs, seed, keep, results,
        };
        cmd.Subcommands.Add(CreateMail());
        cmd.Subcommands.Add(CreateCampaigns());
        cmd.Subcommands.Add(RulesBench.Create());
        cmd.Subcommands.Add(RuleEventsBench.Create());
        cmd.Subcommands.Add(MentionsBench.Create());
        cmd.Subcommands.Add(ForumBench.Create());
        cmd.Subcommands.Add(AlertLatencyBench.Create());
        cmd.Subcommands.Add(ClusterBench.Create());
        cmd.Subcommands.Add(SoakBench.Create());
        cmd.Subcommands.Add(RequestTrackerBench.Create());
        cmd.Subcommands.Add(QueryBench.Create());
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new BenchSettings(
                new WorkspaceSize(parse.GetValue(messages), parse.GetValue(people), parse.GetValue(conversations)),
                Path.GetFullPath(parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), $"chorus-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
                parse.GetValue(provider) == "postgres", parse.GetValue(connection),
                parse.GetValue(skipHttp), parse.GetValue(skipCeiling), parse.GetValue(requests), parse.GetValue(concurrency),
                parse.GetValue(runs), parse.GetValue(seed), parse.GetValue(keep), parse.GetValue(results), [.. parse.UnmatchedTokens]);
            if (settings.Validate() is { } error)
            {
                Console.Error.WriteLine(error);
                return 2;
            }
            return await BenchRunner.RunAsync(settings, ct);
        });
        return cmd;
    }

    /// `chorus bench mail`: the e-mail channel against real IMAP and SMTP servers (bench/mail.sh starts them).
    private static Command CreateMail()
    {
        var imap = new Option<string>("--imap") { Description = "IMAP server HOST:PORT (plain, no TLS) where any address @example.test signs in with \"pass\"", Required = true };
        var smtp = new Option<string>("--smtp") { Description = "SMTP server HOST:PORT (plain, no sign-in) delivering @example.test to that IMAP server", Required = true };
        var messages = new Option<int>("--messages") { Description = "Messages to put in the mailbox and ingest", DefaultValueFactory = _ => 10_000 };
        var replies = new Option<int>("--replies") { Description = "Agent replies to send out (one per conversation)", DefaultValueFactory = _ => 1_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent HTTP clients posting replies", DefaultValueFactory = _ => 8 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fresh directory for the benchmark workspace (default: a new one under /tmp)" };
        var keep = new Option<bool>("--keep") { Description = "Keep the benchmark workspace afterwards (it is deleted by default)" };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var cmd = new Command("mail", "Measure the e-mail channel end to end: ingest from an IMAP mailbox, and replies out through SMTP.")
        {
            imap, smtp, messages, replies, concurrency, dataDir, keep, results,
        };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(async (parse, ct) =>
        {
            if (!MailBenchSettings.TryEndpoint(parse.GetValue(imap), out var imapHost, out var imapPort)
                || !MailBenchSettings.TryEndpoint(parse.GetValue(smtp), out var smtpHost, out var smtpPort))
            {
                Console.Error.WriteLine("--imap and --smtp are HOST:PORT.");
                return 2;
            }
            var settings = new MailBenchSettings(imapHost, imapPort, smtpHost, smtpPort, parse.GetValue(messages), parse.GetValue(replies), parse.GetValue(concurrency),
                Path.GetFullPath(parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), $"chorus-bench-mail-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
                parse.GetValue(keep), parse.GetValue(results), [.. parse.UnmatchedTokens]);
            if (settings.Validate() is { } error)
            {
                Console.Error.WriteLine(error);
                return 2;
            }
            return await MailBench.RunAsync(settings, ct);
        });
        return cmd;
    }

    /// `chorus bench campaigns`: posts published in one minute, and short-link redirects (issue 7).
    private static Command CreateCampaigns()
    {
        var posts = new Option<int>("--posts") { Description = "Posts scheduled for the same minute", DefaultValueFactory = _ => 1_000 };
        var redirects = new Option<int>("--redirects") { Description = "Timed GET /l/{code} requests (after up to 1,000 warm-up ones)", DefaultValueFactory = _ => 20_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent HTTP clients for the redirects", DefaultValueFactory = _ => 32 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fresh directory for the benchmark workspace (default: a new one under /tmp)" };
        var keep = new Option<bool>("--keep") { Description = "Keep the benchmark workspace afterwards (it is deleted by default)" };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var cmd = new Command("campaigns", "Measure publishing (posts scheduled for one minute, to loopback Mastodon/Discord/Slack receivers and the newsroom) and short-link redirects.")
        {
            posts, redirects, concurrency, dataDir, keep, results,
        };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new CampaignBenchSettings(parse.GetValue(posts), parse.GetValue(redirects), parse.GetValue(concurrency),
                Path.GetFullPath(parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), $"chorus-bench-campaigns-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
                parse.GetValue(keep), parse.GetValue(results), [.. parse.UnmatchedTokens]);
            if (settings.Validate() is { } error)
            {
                Console.Error.WriteLine(error);
                return 2;
            }
            return await CampaignBench.RunAsync(settings, ct);
        });
        return cmd;
    }
}
