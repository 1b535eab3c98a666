using System.CommandLine;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Search;
using Microsoft.AspNetCore.Identity;

namespace Chorus.Features.Cli;

/// Chorus's command line: `chorus <command>`. Configuration switches (`--Database:Provider=Postgres`)
/// and environment variables apply to commands exactly as they do to the server.
public static class ChorusCli
{
    private static readonly string[] Commands = ["migrate", "users", "search", "bench", "import", "backup", "restore", "sentiment", "listening", "moderation", "reports", "help", "--help", "-h", "-?", "--version"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Chorus: one inbox for Support, Community, Marketing and PR. Without a command, Chorus serves the web app.");
        root.Subcommands.Add(Migrate());
        root.Subcommands.Add(Users());
        root.Subcommands.Add(Search());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(Channels.Email.ImportMboxCommand.Create());
        root.Subcommands.Add(Operations.BackupCommands.Backup());
        root.Subcommands.Add(Operations.BackupCommands.Restore());
        root.Subcommands.Add(Listening.Sentiment.SentimentCommand.Create());
        root.Subcommands.Add(Listening.ListeningCommand.Create());
        root.Subcommands.Add(Forum.Moderation.ModerationCommand.Create());
        root.Subcommands.Add(Reports());
        if (args is ["help"]) args = ["--help"];
        var parse = root.Parse(args);
        return await parse.InvokeAsync();
    }

    /// Builds the same host the server runs (configuration, database, services) without serving.
    public static WebApplication Host(ParseResult parse) => ChorusApp.Build([.. parse.UnmatchedTokens]);

    private static Command Migrate()
    {
        var cmd = new Command("migrate", "Apply database migrations and create what a workspace needs (roles, teams, first admin).") { TreatUnmatchedTokensAsErrors = false };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var app = Host(parse);
            using var scope = app.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var password = await ChorusApp.MigrateAndBootstrapAsync(scope.ServiceProvider);
            Console.WriteLine($"Database is up to date ({db.Provider}).");
            if (password is not null) Console.WriteLine($"First admin created: {app.Configuration["Chorus:AdminEmail"] ?? BootstrapWorkspace.AdminEmail} / {password}   (shown once)");
            return 0;
        });
        return cmd;
    }

    private static Command Reports()
    {
        var rebuild = new Command("rebuild", "Recount the report aggregates from the stored conversations and staff messages.") { TreatUnmatchedTokensAsErrors = false };
        rebuild.SetAction(async (parse, ct) =>
        {
            await using var app = Host(parse);
            using var scope = app.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<ChorusDb>().MigrateAsync();
            var done = await scope.ServiceProvider.GetRequiredService<Features.Reports.RebuildReports>().RunAsync(ct);
            Console.WriteLine($"Counted {done.Conversations:N0} conversations and {done.StaffMessages:N0} staff messages in {done.Took.TotalSeconds:F1} s.");
            return 0;
        });
        return new Command("reports", "Reports: the aggregates behind the charts.") { rebuild };
    }

    private static Command Search()
    {
        var rebuild = new Command("rebuild", "Rebuild the full-text search index (SQLite; run after a VACUUM).") { TreatUnmatchedTokensAsErrors = false };
        rebuild.SetAction(async (parse, ct) =>
        {
            await using var app = Host(parse);
            using var scope = app.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<ChorusDb>().MigrateAsync(ct);
            var rebuilt = await scope.ServiceProvider.GetRequiredService<SearchConversations>().RebuildAsync(ct);
            Console.WriteLine(rebuilt ? "Search index rebuilt." : "PostgreSQL keeps its search columns current; nothing to rebuild.");
            return 0;
        });
        var search = new Command("search", "Maintain the full-text search index.");
        search.Subcommands.Add(rebuild);
        return search;
    }

    private static Command Users()
    {
        var users = new Command("users", "Manage staff users.");

        var email = new Option<string>("--email") { Description = "Sign-in e-mail address", Required = true };
        var name = new Option<string?>("--name") { Description = "Display name (default: the part before @)" };
        var role = new Option<string>("--role") { Description = "admin, agent or viewer", DefaultValueFactory = _ => Roles.Agent };
        var password = new Option<string?>("--password") { Description = "Password (at least 10 characters); generated and printed when omitted" };
        var team = new Option<string[]>("--team") { Description = "Team name to join (repeatable)", AllowMultipleArgumentsPerToken = false };
        var add = new Command("add", "Add a staff user.") { email, name, role, password, team };
        add.TreatUnmatchedTokensAsErrors = false;
        add.SetAction(async (parse, ct) =>
        {
            await using var app = Host(parse);
            using var scope = app.Services.CreateScope();
            await ChorusApp.MigrateAndBootstrapAsync(scope.ServiceProvider);
            var teams = await scope.ServiceProvider.GetRequiredService<ManageTeams>().ListAsync(ct);
            var teamIds = new List<Guid>();
            foreach (var t in parse.GetValue(team) ?? [])
            {
                var found = teams.FirstOrDefault(x => x.Name.Equals(t, StringComparison.OrdinalIgnoreCase));
                if (found is null) { Console.Error.WriteLine($"There is no team '{t}'. Teams: {string.Join(", ", teams.Select(x => x.Name))}"); return 2; }
                teamIds.Add(found.Id);
            }
            var pw = parse.GetValue(password) ?? Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
            var outcome = await scope.ServiceProvider.GetRequiredService<ManageStaff>().AddAsync(null,
                new NewStaff(parse.GetValue(email)!, parse.GetValue(name) ?? "", parse.GetValue(role)!, pw, teamIds), ct);
            if (outcome.Error is { } error) { Console.Error.WriteLine(error); return 2; }
            Console.WriteLine($"Added {parse.GetValue(email)} as {parse.GetValue(role)}." + (parse.GetValue(password) is null ? $" Password: {pw}   (shown once)" : ""));
            return 0;
        });

        var list = new Command("list", "List staff users with their role and teams.") { TreatUnmatchedTokensAsErrors = false };
        list.SetAction(async (parse, ct) =>
        {
            await using var app = Host(parse);
            using var scope = app.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<ChorusDb>().MigrateAsync(ct);
            var teams = (await scope.ServiceProvider.GetRequiredService<ManageTeams>().ListAsync(ct)).ToDictionary(t => t.Id, t => t.Name);
            foreach (var s in await scope.ServiceProvider.GetRequiredService<ManageStaff>().ListAsync(ct))
                Console.WriteLine($"{s.Email,-32} {s.Role,-7} {s.DisplayName,-24} {string.Join(", ", s.TeamIds.Select(t => teams.GetValueOrDefault(t)))}");
            return 0;
        });

        var tokenEmail = new Option<string>("--email") { Description = "The staff user the token acts as", Required = true };
        var tokenName = new Option<string>("--name") { Description = "What the token is for (shown in Admin → API tokens)", DefaultValueFactory = _ => "command line" };
        var token = new Command("token", "Issue an API token for a staff user (for scripts and integrations) and print it once.") { tokenEmail, tokenName };
        token.TreatUnmatchedTokensAsErrors = false;
        token.SetAction(async (parse, ct) =>
        {
            await using var app = Host(parse);
            using var scope = app.Services.CreateScope();
            await ChorusApp.MigrateAndBootstrapAsync(scope.ServiceProvider);
            var user = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(parse.GetValue(tokenEmail)!);
            var actor = user is null ? null : await scope.ServiceProvider.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(user.Id, ct);
            if (actor is null) { Console.Error.WriteLine($"There is no staff user {parse.GetValue(tokenEmail)}."); return 2; }
            var issued = await scope.ServiceProvider.GetRequiredService<ManageApiTokens>().IssueAsync(actor, parse.GetValue(tokenName)!, ct);
            Console.WriteLine(issued.Token);
            return 0;
        });

        users.Subcommands.Add(add);
        users.Subcommands.Add(list);
        users.Subcommands.Add(token);
        return users;
    }
}
