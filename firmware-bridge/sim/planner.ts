/**
 * The planner buffer (planner.c): a ring of BLOCK_BUFFER_SIZE blocks with one slot always
 * free (15 queued, 14 with line numbers), the planner position in absolute steps, and the
 * re-plan on every new block. The block math and the two passes are kinematics.ts's, shared
 * with the compiler's estimate; this file is the buffer around them.
 */
import { emptyHistory, nominalSpeed, computeProfileParameters, planLine, recalculate, PL_COND, SOME_LARGE_VALUE, type LineData, type PlannerBlock, type PlannerHistory, type PlannerMachine, type Vec3 } from "../kinematics.ts";
import type { Grbl } from "./grbl.ts";

export class Planner {
  /** Queued blocks, oldest (the one the stepper prepares) first. */
  private blocks: PlannerBlock[] = [];
  /** block_buffer_planned, as an index into `blocks`. */
  private planned = 0;
  private history: PlannerHistory = emptyHistory();
  /** The block a system motion (homing) runs from, outside the queue (plan_get_system_motion_block). */
  systemBlock: PlannerBlock | undefined;

  constructor(private readonly g: Grbl) {}

  /** plan_reset: history and buffer. */
  reset(): void {
    this.history = emptyHistory();
    this.resetBuffer();
  }

  /** plan_reset_buffer */
  resetBuffer(): void {
    this.blocks = [];
    this.planned = 0;
  }

  machine(): PlannerMachine {
    const s = this.g.settings;
    return { stepsPerMm: s.stepsPerMm(), maxRate: s.maxRate(), acceleration: s.accelerationPerMin2(), junctionDeviation: s.value(11) };
  }

  /**
   * plan_buffer_line: queue a line to `target` (mm, machine coordinates). False for an empty
   * block (no axis moves a whole step): nothing is queued and the planner position stays.
   */
  bufferLine(target: Vec3, data: LineData): boolean {
    const system = (data.condition & PL_COND.systemMotion) !== 0;
    const from = system ? this.g.stepper.position() : this.history.position;
    const block = planLine(this.history, from, target, data, this.machine(), this.blocks.length === 0, this.g.sys.motionOverrides());
    if (!block) return false;
    if (system) {
      this.systemBlock = block;
      return true;
    }
    this.blocks.push(block);
    this.planned = recalculate(this.blocks, this.planned, () => this.g.stepper.updatePlanBlockParameters());
    return true;
  }

  /** plan_discard_current_block: the stepper has prepared every segment of the oldest block. */
  discardCurrentBlock(): void {
    if (!this.blocks.length) return;
    this.blocks.shift();
    if (this.planned > 0) this.planned--;
  }

  /** plan_get_current_block */
  currentBlock(): PlannerBlock | undefined {
    return this.blocks[0];
  }

  /** plan_get_exec_block_exit_speed_sqr: entry of the block after the executing one, 0 if none. */
  execBlockExitSpeedSqr(): number {
    return this.blocks[1]?.entrySpeedSqr ?? 0;
  }

  /** plan_check_full_buffer */
  isFull(): boolean {
    return this.blocks.length >= this.g.build.blockBufferSize - 1;
  }

  /** plan_get_block_buffer_available: the free blocks `Bf:` reports. */
  available(): number {
    return this.g.build.blockBufferSize - 1 - this.blocks.length;
  }

  get count(): number {
    return this.blocks.length;
  }

  /** plan_sync_position: the planner position becomes the machine position. */
  syncPosition(): void {
    this.history.position = [...this.g.stepper.position()] as Vec3;
  }

  /** The planner position in mm (where the last queued block ends). */
  positionMm(): Vec3 {
    const spm = this.g.settings.stepsPerMm();
    return [this.history.position[0] / spm[0], this.history.position[1] / spm[1], this.history.position[2] / spm[2]];
  }

  /** plan_cycle_reinitialize: re-plan from a full stop after a hold (the partly run block is the oldest). */
  cycleReinitialize(): void {
    this.g.stepper.updatePlanBlockParameters();
    this.planned = 0;
    if (this.blocks.length) this.planned = recalculate(this.blocks, 0, () => this.g.stepper.updatePlanBlockParameters());
  }

  /** plan_update_velocity_profile_parameters: overrides changed, so every block's entry limit changes. */
  updateVelocityProfileParameters(): void {
    let previous = SOME_LARGE_VALUE;
    const ov = this.g.sys.motionOverrides();
    for (const b of this.blocks) {
      const nominal = nominalSpeed(b, ov);
      computeProfileParameters(b, nominal, previous);
      previous = nominal;
    }
    this.history.previousNominalSpeed = previous;
  }

  /** plan_compute_profile_nominal_speed with the current overrides. */
  nominalSpeed(b: PlannerBlock): number {
    return nominalSpeed(b, this.g.sys.motionOverrides());
  }
}
