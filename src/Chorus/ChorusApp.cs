using Chorus.Common;
using Chorus.Components;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Automation;
using Chorus.Features.Campaigns;
using Chorus.Features.CampaignReports;
using Chorus.Features.Channels;
using Chorus.Features.Demo;
using Chorus.Features.Community;
using Chorus.Features.Forum;
using Chorus.Features.MemberNotifications;
using Chorus.Features.TopicMerging;
using Chorus.Features.PressRoom;
using Chorus.Features.Engagement;
using Chorus.Features.Newsletter;
using Chorus.Features.HelpCenter;
using Chorus.Features.Csat;
using Chorus.Features.Problems;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Attachments;
using Chorus.Features.Notifications;
using Chorus.Features.Operations;
using Chorus.Features.People;
using Chorus.Features.Listening;
using Chorus.Features.Listening.Engage;
using Chorus.Features.Listening.Incidents;
using Chorus.Features.Realtime;
using Chorus.Features.Reports;
using Chorus.Features.Search;
using Chorus.Features.Sla;
using Chorus.Features.Assignment;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;
using Scalar.AspNetCore;

namespace Chorus;

/// Composition root: every feature registers itself with one Add/Map pair.
public static class ChorusApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseStaticWebAssets(); // serve _content/* outside Development too (see TOOLCHAIN.md)

        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddCascadingAuthenticationState();
        services.AddProblemDetails();
        services.AddExceptionHandler<StoreOutages>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddOpenApi();
        services.AddHttpContextAccessor();
        services.AddSingleton<HtmlCleaner>();
        services.AddSingleton<WorkScopes>();
        services.AddChorusDatabase(builder.Configuration);
        // The key ring lives in the database, so every node signs and reads the same cookies, requester links
        // and mailbox secrets (keys of versions that kept it under the data directory are imported on start).
        services.AddDataProtection().PersistKeysToDbContext<ChorusDb>().SetApplicationName("Chorus");

        services.AddIdentity<StaffUser, IdentityRole>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireDigit = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                o.User.RequireUniqueEmail = true;
            })
            .AddEntityFrameworkStores<ChorusDb>()
            .AddDefaultTokenProviders();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.Name = "chorus.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
        });
        services.AddAuthentication()
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Staff, p => p.RequireRole(Roles.All))
            .AddPolicy(Policies.CanWork, p => p.RequireRole(Roles.Admin, Roles.Agent))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));

        services.AddAdmin();
        services.AddPeople();
        services.AddRealtime();
        services.AddChorusMetrics();
        services.AddScoped<Features.Operations.BackupWorkspace>();
        services.AddListening();
        services.AddEngage();
        services.AddIncidents();
        services.AddInbox();
        services.AddAttachments();
        services.AddSearch();
        services.AddChannels();
        services.AddNotifications();
        services.AddAutomation();
        services.AddCampaigns();
        services.AddPressRoom();
        services.AddEngagement();
        services.AddNewsletter();
        services.AddDemoWorkspace();
        services.AddForum();
        services.AddReports();
        services.AddCampaignReports();
        services.AddSla();
        services.AddAutoAssignment();
        services.AddHelpCenter();
        services.AddCsat();
        services.AddProblems();
        services.AddCommunity();
        services.AddMemberNotifications();
        services.AddTopicMerging();

        var app = builder.Build();

        if (!app.Environment.IsDevelopment())
        {
            // The API answers an unexpected failure with RFC 9457 problem details (no internals); pages get the error page.
            app.UseWhen(http => IsForMachines(http), api => api.UseExceptionHandler());
            app.UseWhen(http => !IsForMachines(http), pages => pages.UseExceptionHandler("/error", createScopeForErrors: true));
        }
        // Pages get a friendly not-found page; the API gets RFC 9457 problem details for empty error responses.
        app.UseWhen(http => !IsForMachines(http),
            pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseWhen(http => IsForMachines(http), api => api.UseStatusCodePages());
        // Behind a reverse proxy the client's address (rate limits, audit) and scheme come from the proxy's
        // X-Forwarded-* headers, believed only from the proxies named in Chorus:TrustedProxies.
        if (app.Configuration["Chorus:TrustedProxies"] is { Length: > 0 } proxies)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            app.UseForwardedHeaders(forwarded);
        }
        app.UseSecurityHeaders();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(o => o.WithTitle("Chorus API")).AllowAnonymous();

        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute { AuthenticationSchemes = ApiTokenAuthenticationHandler.SchemeName, Policy = Policies.Staff })
            ;
        api.MapInboxApi();
        api.MapPeopleApi();
        api.MapListeningApi();
        api.MapEngageApi();
        api.MapIncidentsApi();
        api.MapAdminApi();
        api.MapChannelsApi();
        app.MapAttachments(api);
        api.MapNotificationsApi();
        api.MapAutomationApi();
        api.MapCampaignsApi();
        api.MapPressRoomApi();
        api.MapEngagementApi();
        app.MapCampaignsPublic();
        app.MapNewsletterPublic();
        api.MapForumApi();
        api.MapReportsApi();
        api.MapCampaignReportsApi();
        api.MapSlaApi();
        api.MapAutoAssignmentApi();
        api.MapHelpCenterApi();
        api.MapCsatApi();
        api.MapProblemsApi();
        app.MapHelpCenterPublic();
        app.MapAccountEndpoints();
        app.MapForum();
        app.MapListeningHooks();
        api.MapCommunityApi();
        app.MapCommunity();
        app.MapMemberNotifications();
        api.MapTopicMergingApi();
        app.MapTopicMerging();
        app.MapPeopleDownloads();
        app.MapReportDownloads();
        app.MapCampaignReportDownloads();
        app.MapHealth();
        app.MapChorusMetrics();
        return app;
    }

    /// The API and the metrics endpoint answer machines: problem details and plain status codes, never pages.
    private static bool IsForMachines(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/metrics");

    /// Applies migrations, brings in an older version's key ring, and creates the first admin (returning the
    /// generated password, if one was). What every start does before serving; tests start the same way.
    public static async Task<string?> MigrateAndBootstrapAsync(IServiceProvider services)
    {
        var db = services.GetRequiredService<ChorusDb>();
        await db.MigrateAsync();
        await FileKeyRing.ImportAsync(db, DatabaseSetup.DataDirectory(services.GetRequiredService<IConfiguration>()));
        var password = await services.GetRequiredService<BootstrapWorkspace>().RunAsync();
        await services.GetRequiredService<ManageForumCategories>().EnsureDefaultsAsync();
        await services.GetRequiredService<Features.Reports.RebuildReports>().IfEmptyAsync(CancellationToken.None); // a workspace from before reports
        return password;
    }

    /// Applies migrations, bootstraps the workspace, seeds the demo and prints how to sign in.
    public static async Task PrepareAsync(WebApplication app)
    {
        string? adminPassword;
        DemoSignIn? demo;
        using (var scope = app.Services.CreateScope())
        {
            adminPassword = await MigrateAndBootstrapAsync(scope.ServiceProvider);
            demo = await scope.ServiceProvider.GetRequiredService<SeedDemoWorkspace>().RunIfEnabledAsync();
        }
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var config = app.Configuration;
            Console.WriteLine();
            Console.WriteLine($"  Chorus is running at {string.Join(", ", urls)}");
            if (adminPassword is not null)
                Console.WriteLine($"  First admin: {config["Chorus:AdminEmail"] ?? BootstrapWorkspace.AdminEmail} / {adminPassword}   (shown once: write it down)");
            if (demo is not null)
                Console.WriteLine($"  Demo workspace sign-in: {demo.Email} / {demo.Password}   (demo data; start with --Chorus:DemoWorkspace=false for none)");
            Console.WriteLine();
        });
    }
}

public static class Policies
{
    public const string Staff = "staff";
    public const string CanWork = "can-work";
    public const string Admin = "admin";
}

