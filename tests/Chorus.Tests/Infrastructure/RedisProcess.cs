using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Chorus.Tests.Infrastructure;

/// A Redis server of the test's own on a free loopback port, for tests that stop and restart it
/// (the shared one test.sh starts must stay up for everyone else).
public sealed class RedisProcess : IDisposable
{
    private Process? _process;

    public int Port { get; } = LoopbackPorts.Free();
    public string Address => $"127.0.0.1:{Port}";

    public static RedisProcess Start()
    {
        var redis = new RedisProcess();
        redis.Restart();
        return redis;
    }

    public void Restart()
    {
        _process = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        { RedirectStandardOutput = true, UseShellExecute = false })!;
        _process.OutputDataReceived += (_, _) => { }; // drain, so Redis never blocks on a full pipe
        _process.BeginOutputReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) { Thread.Sleep(50); }
        }
        throw new InvalidOperationException($"redis-server did not start on port {Port}");
    }

    public void Kill()
    {
        if (_process is null) return;
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();

}

public static class LoopbackPorts
{
    /// A port nothing listens on right now (the OS's pick), for a server the test starts itself.
    public static int Free()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
