using System.Net;
using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// The security sweep's first line: the app's own endpoint data source, enumerated. Every endpoint and
/// page declares who may use it; the only ones open to anonymous callers are those listed in
/// PublicSurface; and an anonymous caller really is turned away everywhere else.
public partial class EndpointSurfaceTests
{
    private static List<RouteEndpoint> Endpoints(ChorusFactory app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<StaticAssetDescriptor>() is null) // CSS, scripts, images: public by nature
            .ToList();

    private static string Route(RouteEndpoint e) => e.RoutePattern.RawText ?? "";

    private static bool AllowsAnonymous(Endpoint e) => e.Metadata.GetMetadata<IAllowAnonymous>() is not null;

    [Fact]
    public async Task Every_endpoint_declares_its_authorization_and_only_listed_ones_are_public()
    {
        await using var app = new ChorusFactory();
        var endpoints = Endpoints(app);
        Assert.True(endpoints.Count > 50, $"only {endpoints.Count} endpoints found");

        var undeclared = endpoints
            .Where(e => !PublicSurface.Framework.Contains(Route(e)))
            .Where(e => !AllowsAnonymous(e) && e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count == 0)
            .Select(e => e.DisplayName).ToList();
        Assert.True(undeclared.Count == 0, "declare [Authorize(Policy = …)] or list as public: " + string.Join("; ", undeclared));

        var anonymous = endpoints.Where(AllowsAnonymous).Select(Route).ToHashSet();
        var unlisted = anonymous.Where(r => !PublicSurface.Routes.ContainsKey(r)).ToList();
        Assert.True(unlisted.Count == 0, "public but not listed in PublicSurface.Routes: " + string.Join("; ", unlisted));
        var stale = PublicSurface.Routes.Keys.Where(r => !anonymous.Contains(r)).ToList();
        Assert.True(stale.Count == 0, "listed in PublicSurface.Routes but not public (or gone): " + string.Join("; ", stale));
        var staleFramework = PublicSurface.Framework.Where(r => endpoints.All(e => Route(e) != r)).ToList();
        Assert.True(staleFramework.Count == 0, "listed in PublicSurface.Framework but gone: " + string.Join("; ", staleFramework));
    }

    [Theory, Providers]
    public async Task Anonymous_callers_are_turned_away_from_every_endpoint_not_listed_as_public(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var wrong = new List<string>();
        var checkedCount = 0;
        foreach (var e in Endpoints(app).Where(e => !AllowsAnonymous(e) && !PublicSurface.Framework.Contains(Route(e))))
        {
            var method = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "GET";
            var path = Concrete(Route(e));
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is not ("GET" or "DELETE" or "HEAD"))
                request.Content = e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/x-www-form-urlencoded") == true
                    ? new FormUrlEncodedContent([])
                    : new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            checkedCount++;
            // Machines (the API, Prometheus) are told 401; people are sent to sign in.
            var ok = path.StartsWith("/api/", StringComparison.Ordinal) || path == "/metrics"
                ? response.StatusCode == HttpStatusCode.Unauthorized
                : response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("/account/login", StringComparison.Ordinal) == true;
            if (!ok) wrong.Add($"{method} {path} → {(int)response.StatusCode} {response.Headers.Location}");
        }
        Assert.True(checkedCount > 40, $"only {checkedCount} endpoints checked");
        Assert.True(wrong.Count == 0, "anonymous got through: " + string.Join("; ", wrong));
    }

    /// A request path for a route pattern: numbers for numeric parameters, fresh GUIDs for GUIDs.
    private static string Concrete(string pattern)
    {
        var path = Parameter().Replace(pattern, m =>
        {
            var spec = m.Groups[1].Value;
            if (spec.EndsWith('?')) return "";
            return spec.Contains(":guid") ? Guid.NewGuid().ToString()
                : spec.Contains(":long") || spec.Contains(":int") ? "1"
                : "x";
        });
        path = path.Replace("//", "/");
        return path.StartsWith('/') ? path : "/" + path;
    }

    [GeneratedRegex(@"\{([^}]*)\}")]
    private static partial Regex Parameter();
}
