// Compute modules: drivers (virtual, qemu), their records, power and console.
export { ComputeModules, computeModuleInput, powerStateInput, driverKinds, type ComputeModule, type ComputeModuleDoc } from './compute-modules.js';
export { ConsoleBuffer, type BootTarget, type ComputeDriver, type PowerState } from './driver.js';
export { VirtualDriver } from './virtual-driver.js';
export { QemuDriver, probeAccelerator, rememberAcceleratorIn, hostKernel, type Accelerator, type QemuModuleConfig } from './qemu-driver.js';
