using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Chorus.Features.Listening.Feeds;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Chorus.Tests.Listening;

/// Fetching a feed over HTTP from a local server on 127.0.0.1 that records every request it gets.
public sealed class FeedFetchingTests : IAsyncDisposable
{
    private readonly WebApplication _server;
    private readonly ConcurrentQueue<(string Path, string? IfNoneMatch, string? IfModifiedSince)> _requests = new();
    private readonly HttpClient _http = FetchFeed.CreateClient();
    private const string Rss = """<?xml version="1.0"?><rss version="2.0"><channel><title>Acme blog</title><item><title>Hello</title><link>https://acme.test/1</link></item></channel></rss>""";
    private const string LastModified = "Sat, 29 Nov 2025 10:00:00 GMT";

    public FeedFetchingTests()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.Use(async (context, next) =>
        {
            _requests.Enqueue((context.Request.Path, context.Request.Headers.IfNoneMatch.FirstOrDefault(), context.Request.Headers.IfModifiedSince.FirstOrDefault()));
            await next();
        });
        _server.MapGet("/feed.xml", (HttpContext context) =>
        {
            if (context.Request.Headers.IfNoneMatch == "\"v1\"") return Results.StatusCode(304);
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.LastModified = LastModified;
            return Results.Text(Rss, "application/rss+xml");
        });
        _server.MapGet("/busy.xml", (HttpContext context) =>
        {
            context.Response.Headers.RetryAfter = "120";
            return Results.StatusCode(429);
        });
        _server.MapGet("/down.xml", () => Results.StatusCode(503));
        _server.MapGet("/loop.xml", () => Results.Redirect("/loop2.xml"));
        _server.MapGet("/loop2.xml", () => Results.Redirect("/loop.xml"));
        _server.MapGet("/gone.xml", () => Results.StatusCode(410));
        _server.MapGet("/huge.xml", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/rss+xml";
            var chunk = Encoding.UTF8.GetBytes(new string(' ', 1024 * 1024));
            for (var i = 0; i < FetchFeed.MaxBytes / chunk.Length + 2; i++) await context.Response.Body.WriteAsync(chunk);
        });
        _server.StartAsync().GetAwaiter().GetResult();
    }

    private Uri Url(string path) => new(new Uri(_server.Urls.First()), path);

    [Fact]
    public async Task Sends_the_validators_of_the_last_answer_and_a_304_means_nothing_new()
    {
        var fetcher = new FetchFeed(_http);
        var first = Assert.IsType<FeedFetch.Changed>(await fetcher.FetchAsync(Url("/feed.xml"), null, default));
        Assert.Equal(Rss, Encoding.UTF8.GetString(first.Body));
        Assert.Equal(new FeedCheckpoint("\"v1\"", LastModified), first.Checkpoint);

        Assert.IsType<FeedFetch.NotModified>(await fetcher.FetchAsync(Url("/feed.xml"), first.Checkpoint, default));

        Assert.Equal([("/feed.xml", null, null), ("/feed.xml", "\"v1\"", LastModified)], _requests.ToArray());
    }

    [Fact]
    public async Task A_429_waits_as_long_as_Retry_After_says_and_a_503_without_it_waits_the_default()
    {
        var fetcher = new FetchFeed(_http);
        var busy = Assert.IsType<FeedFetch.RetryLater>(await fetcher.FetchAsync(Url("/busy.xml"), null, default));
        Assert.Equal(TimeSpan.FromSeconds(120), busy.After);
        Assert.StartsWith("429", busy.Reason);
        var down = Assert.IsType<FeedFetch.RetryLater>(await fetcher.FetchAsync(Url("/down.xml"), null, default));
        Assert.Equal(FetchFeed.DefaultRetryAfter, down.After);
        Assert.Equal(["/busy.xml", "/down.xml"], _requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Redirect_loops_errors_huge_bodies_and_dead_hosts_are_failures_with_a_reason()
    {
        var fetcher = new FetchFeed(_http);
        Assert.Contains("Redirected too many times", Assert.IsType<FeedFetch.Failed>(await fetcher.FetchAsync(Url("/loop.xml"), null, default)).Reason);
        Assert.Equal(6, _requests.Count(r => r.Path.StartsWith("/loop")));
        Assert.Equal("The server answered 410 Gone.", Assert.IsType<FeedFetch.Failed>(await fetcher.FetchAsync(Url("/gone.xml"), null, default)).Reason);
        Assert.Contains("larger than 20 MB", Assert.IsType<FeedFetch.Failed>(await fetcher.FetchAsync(Url("/huge.xml"), null, default)).Reason);
        Assert.Contains("Could not reach", Assert.IsType<FeedFetch.Failed>(await fetcher.FetchAsync(new Uri("http://127.0.0.1:9/feed.xml"), null, default)).Reason);
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 10)]
    [InlineData(3, 40)]
    [InlineData(10, 60)]
    public void Backs_off_by_doubling_the_interval_up_to_an_hour(int failures, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), FetchFeed.Backoff(TimeSpan.FromMinutes(5), failures));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.StopAsync();
        await _server.DisposeAsync();
    }
}
