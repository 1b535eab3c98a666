using System.CommandLine;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Cli;

namespace Chorus.Features.Channels.Email;

/// `chorus import mbox FILE --channel NAME`: files an mbox archive into an e-mail channel, with
/// progress and a summary of what was skipped and why. Run it again to resume or to check: it never
/// files a message twice.
public static class ImportMboxCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The mbox file (classic mbox, 'From ' separator lines)" };
        var channel = new Option<string>("--channel") { Description = "Name of the e-mail channel to file into", Required = true };
        var fromStart = new Option<bool>("--from-start") { Description = "Read the whole file again instead of resuming (nothing is filed twice either way)" };
        var max = new Option<int?>("--max") { Description = "Stop after this many messages (the next run resumes there)" };
        var mbox = new Command("mbox", "Import an mbox archive into an e-mail channel (resumable, idempotent).") { file, channel, fromStart, max };
        mbox.TreatUnmatchedTokensAsErrors = false;
        mbox.SetAction(async (parse, ct) =>
        {
            await using var app = ChorusCli.Host(parse);
            using var scope = app.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<ChorusDb>().MigrateAsync(ct);
            var path = Path.GetFullPath(parse.GetValue(file)!);
            var outcome = await scope.ServiceProvider.GetRequiredService<ImportMbox>().RunAsync(path, parse.GetValue(channel)!,
                parse.GetValue(fromStart), parse.GetValue(max), new ConsoleProgress(), ct);
            if (outcome is not Outcome<MboxImportResult>.Ok { Value: var result })
            {
                Console.Error.WriteLine(outcome.Error);
                return 2;
            }
            if (result.ResumedAt > 0) Console.WriteLine($"Resumed at byte {result.ResumedAt:N0} (an earlier run got that far; --from-start reads it all again).");
            Console.WriteLine($"Read {result.Read:N0} messages: {result.Filed:N0} filed, {result.Duplicates:N0} already there, {result.Skipped:N0} skipped."
                              + (result.Finished ? "" : " Stopped before the end: run the same command again to continue."));
            foreach (var reason in result.SkipReasons)
                Console.WriteLine($"  skipped {reason.Count,5:N0} × {reason.Reason}  (e.g. {string.Join(", ", reason.Examples)})");
            return 0;
        });
        var import = new Command("import", "Import conversations from archives.");
        import.Subcommands.Add(mbox);
        return import;
    }

    /// A progress bar on a terminal; one line per 10 % when the output is a file or a pipe.
    private sealed class ConsoleProgress : IProgress<MboxProgress>
    {
        private int _lastTenth = -1;

        public void Report(MboxProgress p)
        {
            var fraction = p.Length == 0 ? 1 : (double)p.Position / p.Length;
            var line = $"{fraction,6:P0}  {p.Read:N0} read, {p.Filed:N0} filed, {p.Duplicates:N0} already there, {p.Skipped:N0} skipped";
            if (!Console.IsOutputRedirected)
            {
                var bar = new string('#', (int)(fraction * 30)).PadRight(30, '.');
                Console.Write($"\r[{bar}] {line}");
                if (fraction >= 1) Console.WriteLine();
            }
            else if ((int)(fraction * 10) is var tenth && tenth > _lastTenth)
            {
                _lastTenth = tenth;
                Console.WriteLine(line);
            }
        }
    }
}
