using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Chorus.Tests.Listening;

/// A local stand-in for reddit, Hacker News Algolia, Mastodon or a blog on 127.0.0.1: answers each path with
/// what the test set (recorded fixtures, errors, HTML pages) and records every request it gets.
public sealed class FakeListeningServer : IAsyncDisposable
{
    public sealed record Request(string Method, string Path, string Query, string? UserAgent, string? IfNoneMatch, string Body,
        string? Authorization = null, string? ContentType = null, string? IdempotencyKey = null)
    {
        /// The body as an HTML form's fields (what reddit's and Mastodon's POSTs carry).
        public Dictionary<string, string> Form() =>
            Body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
    }

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _answers = new();
    public ConcurrentQueue<Request> Requests { get; } = new();

    public FakeListeningServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            Requests.Enqueue(new Request(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "", context.Request.Headers.UserAgent.ToString(),
                context.Request.Headers.IfNoneMatch.FirstOrDefault(), body, context.Request.Headers.Authorization.FirstOrDefault(),
                context.Request.ContentType, context.Request.Headers["Idempotency-Key"].FirstOrDefault()));
            if (_answers.TryGetValue(context.Request.Path, out var answer)) await answer(context);
            else context.Response.StatusCode = 404;
        });
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public string BaseUrl => _app.Urls.First().TrimEnd('/');

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Listening", "Fixtures", name));

    public void Json(string path, string body) => Answer(path, c => { c.Response.ContentType = "application/json; charset=utf-8"; return c.Response.WriteAsync(body); });

    public void Answer(string path, Func<HttpContext, Task> answer) => _answers[path] = answer;

    public void Status(string path, int status, string? retryAfter = null) => Answer(path, c =>
    {
        c.Response.StatusCode = status;
        if (retryAfter is not null) c.Response.Headers.RetryAfter = retryAfter;
        return Task.CompletedTask;
    });

    /// Answers a path with each of the given (status, JSON body) in turn, the last one from then on.
    public void Sequence(string path, params (int Status, string Body)[] answers)
    {
        var next = 0;
        Answer(path, c =>
        {
            var (status, body) = answers[Math.Min(Interlocked.Increment(ref next) - 1, answers.Length - 1)];
            c.Response.StatusCode = status;
            c.Response.ContentType = "application/json; charset=utf-8";
            return c.Response.WriteAsync(body);
        });
    }

    public List<Request> Take()
    {
        var list = new List<Request>();
        while (Requests.TryDequeue(out var r)) list.Add(r);
        return list;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
