namespace Chorus.Data;

/// Interactive components live as long as a circuit, but a DbContext must not: each UI operation
/// opens a short-lived scope (a fresh ChorusDb and fresh services) with `await using var w = Work.Open();`.
public sealed class WorkScopes(IServiceScopeFactory scopes)
{
    public WorkScope Open() => new(scopes.CreateAsyncScope());
}

public sealed class WorkScope(AsyncServiceScope scope) : IAsyncDisposable
{
    public ChorusDb Db => scope.ServiceProvider.GetRequiredService<ChorusDb>();
    public T Get<T>() where T : notnull => scope.ServiceProvider.GetRequiredService<T>();
    public ValueTask DisposeAsync() => scope.DisposeAsync();
}
